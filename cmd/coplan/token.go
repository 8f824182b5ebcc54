package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coplan/coplan/store"
)

// token handles `coplan token create|list|revoke`.
func token(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: coplan token create|list|revoke", errUsage)
	}
	fs := newFlags("token "+args[0], stderr)
	var t store.Token
	var role string
	if args[0] == "create" {
		fs.StringVar(&role, "role", "", "admin, coordinator, nurse or location")
		fs.StringVar(&t.OrganisationID, "organisation", "", "organisation id (coordinator)")
		fs.StringVar(&t.FacilitatorID, "facilitator", "", "facilitator id (nurse)")
		fs.StringVar(&t.LocationID, "location", "", "location id (location)")
		fs.StringVar(&t.Label, "label", "", "a note on who holds the token")
	}
	a, err := openApp(ctx, getenv, fs, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	c, db := a.cfg, a.db
	switch args[0] {
	case "create":
		t.Role = store.Role(role)
		return printToken(ctx, db, c, stdout, &t, "")
	case "list":
		ts, err := db.Tokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tROLE\tSCOPE\tLABEL\tCREATED\tREVOKED")
		for _, t := range ts {
			revoked := ""
			if t.RevokedAt != nil {
				revoked = t.RevokedAt.In(time.Local).Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.OrganisationID+t.FacilitatorID+t.LocationID,
				t.Label, t.CreatedAt.Format(time.DateTime), revoked)
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: coplan token revoke ID", errUsage)
		}
		if err := db.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "revoked", fs.Arg(0))
		return nil
	}
	return fmt.Errorf("%w: unknown token command %q", errUsage, args[0])
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
