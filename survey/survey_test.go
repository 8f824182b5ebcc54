package survey_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/mail"
	"github.com/coplan/coplan/mail/smtptest"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/coplan/coplan/survey"
)

type world struct {
	db     *store.DB
	now    time.Time
	svc    *survey.Service
	sender *mail.Sender
	smtp   *smtptest.Server
	orgs   map[string]*store.Organisation
	srv    *store.Survey
}

func (w *world) setDay(d string) { w.now = civil.MustParse(d).At(9 * 60) }

func setup(t *testing.T, d store.Dialect) *world {
	w := &world{orgs: map[string]*store.Organisation{}}
	w.setDay("2027-01-01")
	w.db = storetest.Open(t, d, func() time.Time { return w.now })
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c", "d"} {
		o := &store.Organisation{Kind: store.KindGGD, Name: "GGD " + strings.ToUpper(name), ContactEmail: name + "@ggd.test"}
		if err := w.db.CreateOrganisation(ctx, store.System, o); err != nil {
			t.Fatal(err)
		}
		w.orgs[name] = o
		storetest.MustCreateLocation(t, w.db, o.ID, "azc "+name)
	}
	w.srv = &store.Survey{Title: "Centering Ouderschap op COA-locaties 2027", OpensOn: civil.MustParse("2027-01-04"), Deadline: civil.MustParse("2027-02-01")}
	if _, err := w.db.CreateSurvey(ctx, store.System, w.srv, nil); err != nil {
		t.Fatal(err)
	}
	w.smtp = smtptest.Start(t)
	u, _ := mail.ParseServer(w.smtp.URL())
	w.svc = &survey.Service{DB: w.db, Secret: []byte("0123456789abcdef0123456789abcdef"), BaseURL: "https://coplan.test"}
	w.sender = &mail.Sender{DB: w.db, Server: u, From: "coplan@coplan.test", Name: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return w.now }, Stale: 2 * time.Minute}
	return w
}

// day runs the daily job as the cron does: decide, queue, send.
func (w *world) day(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := w.svc.Remind(ctx, civil.Today(w.now), false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sender.SendPending(ctx); err != nil {
		t.Fatal(err)
	}
}

func answer(t *testing.T, w *world, org string) {
	t.Helper()
	locs, _, _ := w.db.Locations(context.Background(), store.System, store.LocationFilter{OrganisationID: w.orgs[org].ID})
	r := &store.SurveyResponse{Interested: store.InterestYes, LocationIDs: []string{locs[0].ID}, StartQuarter: "2027-Q3",
		TrainedFacilitators: 2, ToTrain: 3, ContactName: "J. de Boer", ContactEmail: "jgz@ggd.test"}
	if err := w.db.SaveResponse(context.Background(), w.srv.ID, w.orgs[org].ID, r); err != nil {
		t.Fatal(err)
	}
}

func TestInvitationsRemindersAndTheLastReminderOverRealSMTP(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := setup(t, d)
			// c's server answers 451 twice, then accepts; d's mailbox does not exist.
			w.smtp.Answer(func(to string, attempt int) error {
				switch {
				case to == "c@ggd.test" && attempt <= 1:
					return smtptest.Temporary
				case to == "d@ggd.test":
					return smtptest.Permanent
				}
				return nil
			})
			arrived := map[string][]string{}
			seen := 0
			for day := civil.MustParse("2027-01-01"); day <= civil.MustParse("2027-02-10"); day++ {
				w.setDay(day.String())
				if day.String() == "2027-01-15" {
					answer(t, w, "b")
				}
				w.day(t)
				// A retry is due a minute later: the sender runs again within the day.
				w.now = w.now.Add(5 * time.Minute)
				if _, err := w.sender.SendPending(context.Background()); err != nil {
					t.Fatal(err)
				}
				msgs := w.smtp.Messages()
				for _, m := range msgs[seen:] {
					kind := "invitation"
					if strings.HasPrefix(m.Subject, "Herinnering") {
						kind = "reminder"
					} else if strings.HasPrefix(m.Subject, "Laatste") {
						kind = "last"
					}
					arrived[m.To] = append(arrived[m.To], day.String()+" "+kind)
				}
				seen = len(msgs)
			}
			want := map[string]string{
				"a@ggd.test": "2027-01-04 invitation,2027-01-11 reminder,2027-01-18 reminder,2027-01-25 reminder,2027-01-30 last",
				"b@ggd.test": "2027-01-04 invitation,2027-01-11 reminder",
				"c@ggd.test": "2027-01-04 invitation,2027-01-11 reminder,2027-01-18 reminder,2027-01-25 reminder,2027-01-30 last",
				"d@ggd.test": "",
			}
			for to, w := range want {
				if got := strings.Join(arrived[to], ","); got != w {
					t.Errorf("%s received %q; want %q", to, got, w)
				}
			}
			// d's mails failed permanently and show on the results.
			rows, err := w.db.Responses(context.Background(), store.System, w.srv.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if r.OrganisationID == w.orgs["d"].ID && r.FailedMails != 5 {
					t.Errorf("d has %d failed mails; want 5", r.FailedMails)
				}
				if r.OrganisationID == w.orgs["b"].ID && (r.Response == nil || r.Response.ToTrain != 3) {
					t.Errorf("b's answer: %+v", r.Response)
				}
			}
			// Each message is a Dutch text with an HTML alternative and the answer link.
			m := w.smtp.Messages()[0]
			if !strings.Contains(m.Raw, "text/html") || !strings.Contains(m.Raw, "https://coplan.test/survey/") || !strings.Contains(m.Raw, "interessepeiling") {
				t.Fatalf("the message:\n%s", m.Raw)
			}
			// c's 451 was retried and delivered once per slot.
			mails, _ := w.db.MailsByKeyPrefix(context.Background(), "survey:"+w.srv.ID+":"+w.orgs["c"].ID)
			if len(mails) != 5 || mails[0].Attempts != 2 || mails[0].Status != store.MailSent {
				t.Fatalf("c's mails: %+v", mails)
			}
		})
	}
}

// A sender that dies between claim and send: after the stale time another
// sender delivers the message, once, with the same Message-ID.
func TestCrashBetweenClaimAndSendDeliversOnceWithTheSameMessageID(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := setup(t, d)
			w.setDay("2027-01-04")
			ctx := context.Background()
			planned, err := w.svc.Remind(ctx, civil.Today(w.now), false)
			if err != nil || len(planned) != 4 {
				t.Fatalf("planned %v, %v", planned, err)
			}
			claimed, err := w.db.ClaimMail(ctx, "doomed", 1, 2*time.Minute)
			if err != nil || len(claimed) != 1 {
				t.Fatal("claim", err)
			}
			// The doomed sender is gone. A minute later its claim still holds.
			w.now = w.now.Add(time.Minute)
			w.sender.SendPending(ctx)
			if n := len(w.smtp.Messages()); n != 3 {
				t.Fatalf("%d messages before the claim went stale; want 3", n)
			}
			w.now = w.now.Add(2 * time.Minute)
			w.sender.SendPending(ctx)
			msgs := w.smtp.Messages()
			if len(msgs) != 4 {
				t.Fatalf("%d messages; want 4", len(msgs))
			}
			ids := map[string]int{}
			for _, m := range msgs {
				ids[m.MessageID]++
			}
			if ids[claimed[0].MessageID] != 1 {
				t.Fatalf("the claimed message arrived %d times with Message-ID %s", ids[claimed[0].MessageID], claimed[0].MessageID)
			}
			// The same day again: nothing new.
			w.day(t)
			if len(w.smtp.Messages()) != 4 {
				t.Fatal("a second run on the same day sent again")
			}
		})
	}
}

func TestDryRunWritesNothingAndTokensAreChecked(t *testing.T) {
	w := setup(t, store.SQLite)
	w.setDay("2027-01-04")
	planned, err := w.svc.Remind(context.Background(), civil.Today(w.now), true)
	if err != nil || len(planned) != 4 || planned[0].Kind != "invitation" {
		t.Fatalf("dry run: %+v, %v", planned, err)
	}
	if n, _ := w.db.PendingMail(context.Background()); n != 0 {
		t.Fatalf("a dry run queued %d mails", n)
	}
	tok := survey.Token(w.svc.Secret, "inv_abc")
	if id, ok := survey.InvitationOf(w.svc.Secret, tok); !ok || id != "inv_abc" {
		t.Fatal("a genuine token is refused")
	}
	if _, ok := survey.InvitationOf(w.svc.Secret, tok[:len(tok)-1]+"A"); ok {
		t.Fatal("a tampered token is accepted")
	}
	if _, ok := survey.InvitationOf([]byte("another secret of thirty-two by"), tok); ok {
		t.Fatal("a token of another secret is accepted")
	}
}
