package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// invitationTo returns a mail builder that keeps the secret it was given.
func invitationTo(secret *string) func(string) *store.Mail {
	return func(s string) *store.Mail {
		*secret = s
		return &store.Mail{ToAddress: "x@example.org", Subject: "invite", TextBody: "link", DedupeKey: store.NewID("t")}
	}
}

func TestAUserIsInvitedSignsInAndIsDisabled(t *testing.T) {
	now := storetest.FixedClock("2027-01-04 10:00")()
	clock := func() time.Time { return now }
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD A")
		other := storetest.MustCreateOrganisation(t, db, "GGD B")
		_, coordTok := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})

		// A coordinator invites only into her own organisation, never an admin.
		var secret string
		if err := db.InviteUser(ctx, coordTok, &store.User{Name: "X", Email: "x@b.example", Role: store.RoleCoordinator, OrganisationID: other.ID}, invitationTo(&secret)); store.ErrorCode(err) != store.EForbidden {
			t.Fatalf("invite into another organisation: %v", err)
		}
		if err := db.InviteUser(ctx, coordTok, &store.User{Name: "X", Email: "x@a.example", Role: store.RoleAdmin}, invitationTo(&secret)); store.ErrorCode(err) != store.EForbidden {
			t.Fatalf("a coordinator invites an admin: %v", err)
		}
		// Every bad field at once.
		err := db.InviteUser(ctx, coordTok, &store.User{Name: "", Email: "not an address", Role: "boss"}, invitationTo(&secret))
		if got := fieldsOf(err); got != "email,name,role" {
			t.Fatalf("bad invitation names %q, want email,name,role (%v)", got, err)
		}

		u := &store.User{Name: "Fatima de Vries", Email: "  Fatima@GGD-A.example ", Role: store.RoleCoordinator, OrganisationID: org.ID}
		if err := db.InviteUser(ctx, coordTok, u, invitationTo(&secret)); err != nil {
			t.Fatal(err)
		}
		if u.Email != "fatima@ggd-a.example" || !u.Active {
			t.Fatalf("stored user %+v", u)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM outbox"); n != 1 {
			t.Fatalf("%d mails queued, want the invitation", n)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM signin_links WHERE hash = '"+secret+"'"); n != 0 {
			t.Fatal("the link's secret is stored as it is")
		}
		dup := &store.User{Name: "Other", Email: "fatima@ggd-a.example", Role: store.RoleCoordinator, OrganisationID: org.ID}
		if err := db.InviteUser(ctx, coordTok, dup, invitationTo(new(string))); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("a second user with one address: %v", err)
		}

		if !db.LinkUsable(ctx, secret) {
			t.Fatal("a fresh invitation is not usable")
		}
		session, who, err := db.RedeemLink(ctx, secret, store.Client{Address: "10.0.0.1", Browser: "Firefox"})
		if err != nil || who.UserID != u.ID || who.OrganisationID != org.ID || who.Role != store.RoleCoordinator {
			t.Fatalf("redeem = %+v, %v", who, err)
		}
		if _, _, err := db.RedeemLink(ctx, secret, store.Client{}); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("a link used twice: %v", err)
		}
		a, err := db.UserSessionActor(ctx, session)
		if err != nil || a.UserID != u.ID || !strings.HasPrefix(a.TokenID, "web_") {
			t.Fatalf("session actor = %+v, %v", a, err)
		}

		// 12 hours without a request ends the session; a request moves that on.
		now = now.Add(11 * time.Hour)
		if _, err := db.UserSessionActor(ctx, session); err != nil {
			t.Fatalf("after 11 idle hours: %v", err)
		}
		now = now.Add(11 * time.Hour)
		if _, err := db.UserSessionActor(ctx, session); err != nil {
			t.Fatalf("11 hours after the last request: %v", err)
		}
		now = now.Add(12*time.Hour + time.Second)
		if _, err := db.UserSessionActor(ctx, session); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("after 12 idle hours: %v", err)
		}

		// A personal token expires, and stops with its user.
		_, _, err = db.CreateUserToken(ctx, a, u.ID, "export", 400*24*time.Hour)
		if store.ErrorCode(err) != store.EInvalid {
			t.Fatalf("a token for 400 days: %v", err)
		}
		tok, _, err := db.CreateUserToken(ctx, a, u.ID, "export", 2*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Authenticate(ctx, tok); err != nil || got.UserID != u.ID {
			t.Fatalf("personal token = %+v, %v", got, err)
		}
		now = now.Add(49 * time.Hour)
		if _, err := db.Authenticate(ctx, tok); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("an expired token: %v", err)
		}
		tok2, _, _ := db.CreateUserToken(ctx, a, u.ID, "export 2", 0)
		session2, _, err := db.RedeemLink(ctx, mustLink(t, db, u.ID), store.Client{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetUserActive(ctx, coordTok, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, tok2); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("a disabled user's token: %v", err)
		}
		if _, err := db.UserSessionActor(ctx, session2); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("a disabled user's session: %v", err)
		}
		if _, _, err := db.SignInVerified(ctx, "fatima@ggd-a.example", "oidc", store.Client{}); store.ErrorCode(err) != store.EForbidden {
			t.Fatalf("single sign-on of a disabled user: %v", err)
		}

		// The access log names the person for what she did.
		rows, _, err := db.AuditLog(ctx, store.System, store.AuditFilter{UserID: u.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, r := range rows {
			if r.UserName != "Fatima de Vries" {
				t.Fatalf("audit row %+v does not name the user", r)
			}
			actions[r.Action+" "+r.Entity] = true
		}
		if !actions["sign_in session"] || !actions["create token"] {
			t.Fatalf("audit actions of the user: %v", actions)
		}
	})
}

func mustLink(t *testing.T, db *store.DB, userID string) string {
	t.Helper()
	s, err := db.SignInLink(context.Background(), userID, store.SignInLinkTTL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignInRequestsAreLimitedPerAddressAndSayNothing(t *testing.T) {
	now := storetest.FixedClock("2027-01-04 10:00")()
	clock := func() time.Time { return now }
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD A")
		u := &store.User{Name: "Anna", Email: "anna@a.example", Role: store.RoleCoordinator, OrganisationID: org.ID}
		if err := db.InviteUser(ctx, store.System, u, nil); err != nil {
			t.Fatal(err)
		}
		var links []string
		mail := func(u *store.User, secret string) *store.Mail {
			links = append(links, secret)
			return &store.Mail{ToAddress: u.Email, Subject: "s", TextBody: "b", DedupeKey: store.NewID("t")}
		}
		if err := db.RequestSignIn(ctx, "nobody@a.example", mail); err != nil || len(links) != 0 {
			t.Fatalf("an unknown address: %v, %d links", err, len(links))
		}
		for i := 0; i < store.SignInsPerHour; i++ {
			if err := db.RequestSignIn(ctx, "Anna@a.example", mail); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RequestSignIn(ctx, "anna@a.example", mail); err != store.ErrSignInLimit {
			t.Fatalf("the sixth request in an hour: %v", err)
		}
		if len(links) != store.SignInsPerHour {
			t.Fatalf("%d links mailed, want %d", len(links), store.SignInsPerHour)
		}
		now = now.Add(time.Hour + time.Second)
		if err := db.RequestSignIn(ctx, "anna@a.example", mail); err != nil || len(links) != store.SignInsPerHour+1 {
			t.Fatalf("an hour later: %v, %d links", err, len(links))
		}
		// A sign-in link lasts 15 minutes.
		last := links[len(links)-1]
		now = now.Add(store.SignInLinkTTL + time.Second)
		if db.LinkUsable(ctx, last) {
			t.Fatal("a sign-in link is usable after 15 minutes")
		}
		if _, _, err := db.RedeemLink(ctx, last, store.Client{}); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("an expired link: %v", err)
		}
		// The daily retention forgets requests and links a day old.
		now = now.Add(25 * time.Hour)
		if _, _, err := db.RunRetentionJob(ctx, now, "test"); err != nil {
			t.Fatal(err)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM signin_requests") + storetest.Count(t, db, "SELECT COUNT(*) FROM signin_links"); n != 0 {
			t.Fatalf("%d sign-in requests and links left after a day", n)
		}
	})
}

// fieldsOf lists the fields an error names, sorted and comma separated.
func fieldsOf(err error) string {
	e, ok := err.(*store.Error)
	if !ok {
		return ""
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
