package coordination_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/coplan/coplan/survey"
)

// poison makes one facilitator of an organisation unreadable, as a value
// stored by an older, lenient version would be ("-1:30" once became "00:-30").
func poison(t *testing.T, db *store.DB, organisationID string) {
	t.Helper()
	id := storetest.Strings(t, db, "SELECT id FROM facilitators WHERE organisation_id = '"+organisationID+"' ORDER BY id LIMIT 1")[0]
	if err := storetest.Exec(db, `UPDATE facilitators SET availability = '[{"weekday":1,"from":"00:-30","to":"17:00"}]' WHERE id = '`+id+`'`); err != nil {
		t.Fatal(err)
	}
}

// Class 2: one organisation's unreadable record stops neither the feed
// publication, nor the planning of all, nor the survey reminders of the
// others; the organisation is skipped and counted.
func TestOnePoisonedOrganisationDoesNotStopTheOthers(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := demo.PlanAndPublish(ctx, db); err != nil {
			t.Fatal(err)
		}
		bad, good := orgNamed(t, db, "GGD Drenthe"), orgNamed(t, db, "GGD Groningen")
		r := calendars.Renderer{Host: "coplan.test"}
		feeds := map[string]*store.Feed{}
		for _, o := range []store.Organisation{bad, good} {
			f, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, o.ID, r.Render)
			if err != nil {
				t.Fatal(err)
			}
			feeds[o.ID] = f
		}
		// The good organisation cancels a session; then the other is poisoned.
		sessions, _, _ := db.Sessions(ctx, store.Actor{Role: store.RoleCoordinator, OrganisationID: good.ID}, store.SessionFilter{From: today(), Page: store.Page{Limit: 1}})
		cancelled := store.SessionCancelled
		if _, err := coordination.New(db).ChangeSession(ctx, store.System, sessions[0].ID, coordination.SessionChange{Status: &cancelled}); err != nil {
			t.Fatal(err)
		}
		poison(t, db, bad.ID)

		p := &calendars.Publisher{DB: db, Renderer: r, Replica: "test"}
		res, err := p.Publish(ctx, today().Add(time.Minute))
		if err != nil || !res.Ran || len(res.Skipped) != 1 || res.Skipped[0].OrganisationID != bad.ID || res.Changed != 1 {
			t.Fatalf("publication: %+v, %v; want the poisoned organisation skipped and the other's feed changed", res, err)
		}
		after, _ := db.FeedForServing(ctx, feeds[good.ID].ID)
		if !strings.Contains(after.Body, "STATUS:CANCELLED") {
			t.Fatal("the good organisation's feed does not show its cancelled session")
		}
		if kept, _ := db.FeedForServing(ctx, feeds[bad.ID].ID); kept.Body != feeds[bad.ID].Body {
			t.Fatal("the skipped organisation's feed lost its last bytes")
		}
		runs, _ := db.JobRuns(ctx, calendars.PublishJob)
		if len(runs) != 1 || !strings.Contains(runs[0].Detail, "1 organisations skipped") {
			t.Fatalf("the run's record: %+v", runs)
		}

		runsOut, skipped, err := coordination.New(db).RunPlans(ctx, store.System, "", false)
		if err != nil || len(skipped) != 1 || skipped[0].OrganisationID != bad.ID || len(runsOut) != 3 {
			t.Fatalf("planning all: %d runs, skipped %+v, %v", len(runsOut), skipped, err)
		}

		// Reminders: the poisoned organisation's mail cannot be queued; the others' are.
		if _, err := db.CreateSurvey(ctx, store.System, &store.Survey{Title: "Peiling", OpensOn: civil.Today(today()), Deadline: civil.Today(today()).AddDays(20)}, nil); err != nil {
			t.Fatal(err)
		}
		refuseMailTo(t, db, bad.ID)
		svc := &survey.Service{DB: db, Secret: []byte(strings.Repeat("s", 32)), BaseURL: "http://coplan.test"}
		planned, ran, err := svc.RunJob(ctx, today(), "test")
		if err != nil || !ran || len(svc.Skipped) != 1 || svc.Skipped[0].OrganisationID != bad.ID || len(planned) != 3 {
			t.Fatalf("reminders: %d queued, skipped %+v, %v", len(planned), svc.Skipped, err)
		}
	})
}

// refuseMailTo makes the outbox refuse mail about one organisation, as a
// broken record of theirs would.
func refuseMailTo(t *testing.T, db *store.DB, organisationID string) {
	t.Helper()
	var stmts []string
	if db.Dialect() == store.Postgres {
		stmts = []string{`CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
			`CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox FOR EACH ROW WHEN (NEW.dedupe_key LIKE '%:` + organisationID + `:%') EXECUTE FUNCTION refuse_mail()`}
	} else {
		stmts = []string{`CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox WHEN NEW.dedupe_key LIKE '%:` + organisationID + `:%' BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	}
	for _, s := range stmts {
		if err := storetest.Exec(db, s); err != nil {
			t.Fatal(err)
		}
	}
}
