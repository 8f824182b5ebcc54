package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coplan/coplan/store"
)

const tokenUsage = `usage: coplan token <create|list|revoke> [flags]

  coplan token create --user EMAIL [--name NAME] [--days N]
        a personal API token of a user, for automation: it acts with the
        user's role and scope, expires after N days (default 90, at most 366)
        and stops when the user is disabled
  coplan token create --role ROLE [--organisation ID | --facilitator ID | --location ID] [--label TEXT] [--days N]
        a service token that belongs to no person, with a one-time sign-in
        link for its pages (for scripts and load tests; prefer --user)
  coplan token list
  coplan token revoke ID

Every token command takes --database (COPLAN_DATABASE_URL) and --base-url
(COPLAN_BASE_URL), and refuses a database that is not there unless --create
is given.`

// token handles `coplan token create|list|revoke`.
func token(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, tokenUsage)
	}
	fs := newFlags("token "+args[0], stderr)
	addCreate(fs)
	var t store.Token
	var role, user, name string
	var days int
	if args[0] == "create" {
		fs.StringVar(&user, "user", "", "the e-mail address of the user the token belongs to")
		fs.StringVar(&name, "name", "command line", "what the token is for (with --user)")
		fs.StringVar(&role, "role", "", "admin, coordinator, nurse or location (a service token)")
		fs.StringVar(&t.OrganisationID, "organisation", "", "organisation id (coordinator)")
		fs.StringVar(&t.FacilitatorID, "facilitator", "", "facilitator id (nurse)")
		fs.StringVar(&t.LocationID, "location", "", "location id (location)")
		fs.StringVar(&t.Label, "label", "", "a note on who holds the token")
		fs.IntVar(&days, "days", int(store.DefaultTokenTTL.Hours()/24), "days until the token expires")
	}
	a, err := openApp(ctx, getenv, fs, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	c, db := a.cfg, a.db
	switch args[0] {
	case "create":
		if (user == "") == (role == "") {
			return fmt.Errorf("%w: give either --user EMAIL or --role ROLE", errUsage)
		}
		if days < 1 || days > int(store.MaxTokenTTL.Hours()/24) {
			return fmt.Errorf("--days: %d is not between 1 and %d", days, int(store.MaxTokenTTL.Hours()/24))
		}
		ttl := time.Duration(days) * 24 * time.Hour
		if user != "" {
			return printUserToken(ctx, db, stdout, user, name, ttl)
		}
		t.Role = store.Role(role)
		exp := a.now().Add(ttl)
		t.ExpiresAt = &exp
		return cliWords(printToken(ctx, db, c, stdout, &t, ""))
	case "list":
		return listTokens(ctx, db, stdout)
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: coplan token revoke ID", errUsage)
		}
		if err := db.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return cliWords(err)
		}
		fmt.Fprintln(stdout, "revoked", fs.Arg(0))
		return nil
	}
	return fmt.Errorf("%w: unknown token command %q", errUsage, args[0])
}

func printUserToken(ctx context.Context, db *store.DB, stdout io.Writer, email, name string, ttl time.Duration) error {
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("--user: no user has the address %s (coplan user list shows them)", store.NormalEmail(email))
	}
	secret, t, err := db.CreateUserToken(ctx, store.Actor{TokenID: "cli:token", Role: store.RoleAdmin}, u.ID, name, ttl)
	if err != nil {
		return cliWords(err)
	}
	fmt.Fprintf(stdout, "%s\ntoken %s of %s, expires %s\n", secret, t.ID, u.Email, t.ExpiresAt.In(time.Local).Format(time.DateOnly))
	return nil
}

func listTokens(ctx context.Context, db *store.DB, stdout io.Writer) error {
	ts, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLE\tUSER\tSCOPE\tLABEL\tCREATED\tEXPIRES\tREVOKED")
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(time.Local).Format(time.DateOnly)
	}
	for _, t := range ts {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.UserID, t.OrganisationID+t.FacilitatorID+t.LocationID,
			t.Label, t.CreatedAt.Format(time.DateTime), day(t.ExpiresAt), day(t.RevokedAt))
	}
	return w.Flush()
}

// printToken creates t and prints its secret alone on the first line (after
// prefix), then a one-time login link for the pages.
func printToken(ctx context.Context, db *store.DB, c config, stdout io.Writer, t *store.Token, prefix string) error {
	secret, err := db.CreateToken(ctx, t)
	if err != nil {
		return err
	}
	code, err := db.CreateLoginCode(ctx, t.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s%s\nlogin: %s/login/%s\n", prefix, secret, c.BaseURL, code)
	return nil
}
