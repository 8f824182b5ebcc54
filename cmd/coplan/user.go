package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

const userUsage = `usage: coplan user <invite|list|disable|enable> [flags]

  coplan user invite --name NAME --email EMAIL --role ROLE [--organisation ID | --facilitator ID | --location ID]
        invite a person: ROLE is admin, coordinator (with --organisation),
        nurse (with --facilitator) or location (with --location); the
        invitation mail with its one-time link waits in the outbox until the
        server sends it
  coplan user list [--organisation ID]
  coplan user disable EMAIL
        the user can no longer sign in; sessions and tokens stop at once
  coplan user enable EMAIL

Every user command takes --database (COPLAN_DATABASE_URL) and --base-url
(COPLAN_BASE_URL), and refuses a database that is not there unless --create
is given.`

// cliActor is who the command line acts as: an administrator, named in the
// audit log as the command line.
var cliActor = store.Actor{TokenID: "cli:user", Role: store.RoleAdmin}

// user handles `coplan user invite|list|disable|enable`.
func user(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	fs := newFlags("user "+args[0], stderr)
	addCreate(fs)
	var u store.User
	var role string
	switch args[0] {
	case "invite":
		fs.StringVar(&u.Name, "name", "", "the person's name")
		fs.StringVar(&u.Email, "email", "", "the person's work e-mail address")
		fs.StringVar(&role, "role", "", "admin, coordinator, nurse or location")
		fs.StringVar(&u.OrganisationID, "organisation", "", "organisation id (coordinator)")
		fs.StringVar(&u.FacilitatorID, "facilitator", "", "facilitator id (nurse)")
		fs.StringVar(&u.LocationID, "location", "", "location id (location staff)")
	case "list":
		fs.StringVar(&u.OrganisationID, "organisation", "", "only this organisation's users")
	}
	a, err := openApp(ctx, getenv, fs, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	db := a.db
	switch args[0] {
	case "invite":
		u.Role = store.Role(role)
		svc := accounts.New(db, a.cfg.BaseURL, slog.New(slog.DiscardHandler), nil)
		if err := svc.Invite(ctx, cliActor, &u, "nl"); err != nil {
			return cliWords(err)
		}
		fmt.Fprintf(stdout, "invited %s <%s> as %s; the invitation mail waits in the outbox until the server sends it\n", u.Name, u.Email, u.Role)
		return nil
	case "list":
		users, err := db.Users(ctx, cliActor, store.UserFilter{OrganisationID: u.OrganisationID})
		if err != nil {
			return cliWords(err)
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EMAIL\tNAME\tROLE\tSCOPE\tACTIVE")
		for _, u := range users {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", u.Email, u.Name, u.Role, u.OrganisationID+" "+u.FacilitatorID+u.LocationID, u.Active)
		}
		return w.Flush()
	case "disable", "enable":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: coplan user %s EMAIL", errUsage, args[0])
		}
		found, err := db.UserByEmail(ctx, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("no user has the address %s (coplan user list shows them)", store.NormalEmail(fs.Arg(0)))
		}
		if _, err := db.SetUserActive(ctx, cliActor, found.ID, args[0] == "enable"); err != nil {
			return cliWords(err)
		}
		fmt.Fprintf(stdout, "%sd %s\n", args[0], found.Email)
		return nil
	}
	return fmt.Errorf("%w: unknown user command %q", errUsage, args[0])
}

// flagOf is the command-line flag for a field of the store.
var flagOf = map[string]string{"organisation_id": "--organisation", "organisation": "--organisation", "facilitator_id": "--facilitator",
	"facilitator": "--facilitator", "location_id": "--location", "location": "--location", "expires_in_days": "--days"}

// cliWords says a refusal in the command line's words: each field as the
// flag that sets it, with the catalogue's English message.
func cliWords(err error) error {
	var e *store.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	lines := make([]string, len(e.Fields))
	for i, fe := range e.Fields {
		flag, ok := flagOf[fe.Field]
		if !ok {
			flag = "--" + fe.Field
		}
		msg := fe.Detail // the English detail when the catalogue has no words for the code
		if fe.Code != "" && messages.Has("en", "field."+fe.Code) {
			msg = messages.Field("en", fe.Code, fe.Args)
		}
		lines[i] = flag + ": " + msg
	}
	return errors.New(strings.Join(lines, "\n"))
}
