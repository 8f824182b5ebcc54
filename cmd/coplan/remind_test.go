package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/mail/smtptest"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestRemindCommand(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	ctx := context.Background()
	now := storetest.FixedClock("2027-01-04 09:00")
	db, err := store.Open(ctx, dbURL, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
	if _, err := db.CreateSurvey(ctx, store.System, &store.Survey{Title: "Peiling", OpensOn: civil.MustParse("2027-01-04"), Deadline: civil.MustParse("2027-02-01")}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv := smtptest.Start(t)
	env := envOf(map[string]string{"COPLAN_DATABASE_URL": dbURL, "COPLAN_NOW": "2027-01-04T09:00:00+01:00", "COPLAN_SMTP_URL": srv.URL(),
		"COPLAN_SECRET": strings.Repeat("k", 32), "COPLAN_BASE_URL": "https://coplan.test"})
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"coplan", "remind", "--dry-run"}, env, &out, &errb); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "would queue invitation to "+org.Name) || len(srv.Messages()) != 0 {
		t.Fatalf("dry run printed:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"coplan", "remind"}, env, &out, &errb); err != nil {
		t.Fatalf("remind: %v\n%s", err, errb.String())
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To != "co@example.org" || !strings.Contains(msgs[0].Raw, "https://coplan.test/survey/") {
		t.Fatalf("sent %d messages: %+v\n%s", len(msgs), msgs, out.String())
	}
	if strings.Contains(errb.String(), "co@example.org") || strings.Contains(errb.String(), "/survey/") {
		t.Fatalf("the log holds an address or an answer link:\n%s", errb.String())
	}
}
