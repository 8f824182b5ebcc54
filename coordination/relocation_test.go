package coordination_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// clock is a test's store clock that the test moves on.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (c *clock) set(s string) {
	c.t = storetest.FixedClock(s)()
}

// musselkanaal is the relocation issue's world: GGD Groningen serves azc
// Musselkanaal (one room, open on Tuesdays) and azc Ter Apel (no room for
// CO); a nurse and a doctor who speak Dutch and Arabic; six families born 7
// to 28 November 2026 at Musselkanaal, planned and published on 10 December.
type musselkanaal struct {
	db                 *store.DB
	uc                 *coordination.Service
	clock              *clock
	org                *store.Organisation
	mk, terApel        *store.Location
	coord              store.Actor
	nurse, doctor      *store.Facilitator
	group              store.Group
	sessions           []store.Session
	orgFeed, nurseFeed *store.Feed
}

func newMusselkanaal(t *testing.T, db *store.DB, c *clock) *musselkanaal {
	t.Helper()
	ctx := context.Background()
	w := &musselkanaal{db: db, uc: coordination.New(db), clock: c}
	w.org = storetest.MustCreateOrganisation(t, db, "GGD Groningen")
	w.mk = storetest.MustCreateLocation(t, db, w.org.ID, "azc Musselkanaal")
	w.terApel = storetest.MustCreateLocation(t, db, w.org.ID, "azc Ter Apel")
	tuesday := []civil.Weekly{{Weekday: 2, From: 9 * 60, To: 17 * 60}}
	if err := db.CreateRoom(ctx, store.System, w.mk.ID, &store.Room{Name: "Groepsruimte 1", Capacity: 24, OpeningHours: tuesday}); err != nil {
		t.Fatal(err)
	}
	w.nurse = &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Anna de Vries", Email: "anna@example.org", Role: store.RoleNurseFacilitator,
		COTrained: true, Availability: tuesday, MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
	w.doctor = &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Samir Haddad", Email: "samir@example.org", Role: store.RoleDoctor,
		Availability: tuesday, MaxSessionsPerWeek: 5, Languages: []string{"nl", "ar"}}
	for _, f := range []*store.Facilitator{w.nurse, w.doctor} {
		if err := db.CreateFacilitator(ctx, store.System, f); err != nil {
			t.Fatal(err)
		}
	}
	for i, birth := range []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"} {
		b := &store.Baby{LocationID: w.mk.ID, Ref: fmt.Sprintf("MK-%d", i+1), Language: []string{"ar", "ti"}[i%2], BirthDate: storetest.Date(birth)}
		if err := db.CreateBaby(ctx, store.System, b); err != nil {
			t.Fatal(err)
		}
	}
	_, w.coord = storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org.ID})
	if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, true); err != nil {
		t.Fatal(err)
	}
	groups, _, err := db.Groups(ctx, w.coord, store.GroupFilter{Page: store.Page{Limit: 10}})
	if err != nil || len(groups) != 1 || len(groups[0].BabyIDs) != 6 {
		t.Fatalf("want one group of six: %+v, %v", groups, err)
	}
	w.group = groups[0]
	w.sessions = w.groupSessions(t)
	if len(w.sessions) != 8 {
		t.Fatalf("want 8 sessions, got %d", len(w.sessions))
	}
	r := calendars.Renderer{Host: "coplan.test"}
	if w.orgFeed, err = db.CreateFeed(ctx, store.System, store.FeedOrganisation, w.org.ID, r.Render); err != nil {
		t.Fatal(err)
	}
	if w.nurseFeed, err = db.CreateFeed(ctx, store.System, store.FeedFacilitator, w.nurse.ID, r.Render); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *musselkanaal) groupSessions(t *testing.T) []store.Session {
	t.Helper()
	ss, _, err := w.db.Sessions(context.Background(), w.coord, store.SessionFilter{GroupID: w.group.ID, Page: store.Page{Limit: 20}})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(ss, func(a, b store.Session) int { return a.Number - b.Number })
	return ss
}

// arrive sets the clock ten days before session 3 (so that session 3 is
// past the notice period and within the mail's two weeks) and records that a
// Dari-speaking family with a baby born on 20 November moved from Ter Apel
// to Musselkanaal that day.
func (w *musselkanaal) arrive(t *testing.T) (*store.Baby, *coordination.Relocation) {
	t.Helper()
	ctx := context.Background()
	day := civil.Today(w.sessions[2].StartsAt).AddDays(-10)
	w.clock.set(day.String() + " 09:00")
	b := &store.Baby{LocationID: w.terApel.ID, Ref: "TA-7", Language: "prs", BirthDate: storetest.Date("2026-11-20")}
	if err := w.db.CreateBaby(ctx, store.System, b); err != nil {
		t.Fatal(err)
	}
	r, err := w.uc.RecordMove(ctx, w.coord, b.ID, w.mk.ID, day, "")
	if err != nil {
		t.Fatal(err)
	}
	return b, r
}

// The scenario, both ways a baby joins: the coordinator takes the
// proposal by hand, or the next planning run places it.
func TestMovedBabyJoinsThePublishedGroupFromTheNextFittingSession(t *testing.T) {
	for _, way := range []string{"by hand", "by a planning run"} {
		t.Run(way, func(t *testing.T) {
			c := &clock{}
			c.set("2026-12-10 09:00")
			storetest.Each(t, c.now, func(t *testing.T, db *store.DB) {
				c.set("2026-12-10 09:00")
				ctx := context.Background()
				w := newMusselkanaal(t, db, c)
				p := &calendars.Publisher{DB: db, Renderer: calendars.Renderer{Host: "coplan.test"}, Replica: "test"}
				if _, err := p.Publish(ctx, c.now()); err != nil {
					t.Fatal(err)
				}
				baby, r := w.arrive(t)
				if len(r.Proposals) != 1 || r.Proposals[0].GroupID != w.group.ID || r.Proposals[0].From != 3 || r.Proposals[0].GroupName == "" {
					t.Fatalf("the move should propose the running group from session 3: %+v", r.Proposals)
				}
				switch way {
				case "by hand":
					j, err := w.uc.AddMember(ctx, w.coord, w.group.ID, baby.ID)
					if err != nil || j.FromSession != 3 {
						t.Fatalf("add member: %+v, %v", j, err)
					}
				default:
					if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, false); err != nil {
						t.Fatal(err)
					}
				}
				after := w.groupSessions(t)
				for i, s := range after {
					old := w.sessions[i]
					if !s.StartsAt.Equal(old.StartsAt) || s.RoomID != old.RoomID || !slices.Equal(s.FacilitatorIDs, old.FacilitatorIDs) ||
						s.Sequence != old.Sequence || s.Status != store.SessionPublished {
						t.Fatalf("published session %d changed time, room, people or sequence: %+v, was %+v", s.Number, s, old)
					}
					wantFamilies, wantLangs := 6, []string{"ti"}
					if s.Number >= 3 {
						wantFamilies, wantLangs = 7, []string{"prs", "ti"}
					}
					if s.Families != wantFamilies || !slices.Equal(s.InterpreterLanguages, wantLangs) {
						t.Fatalf("session %d: %d families, interpreters %v; want %d, %v", s.Number, s.Families, s.InterpreterLanguages, wantFamilies, wantLangs)
					}
				}
				members, err := db.GroupMembers(ctx, w.coord, w.group.ID)
				if err != nil || len(members) != 7 {
					t.Fatalf("members: %+v, %v", members, err)
				}
				for _, m := range members {
					if m.BabyID == baby.ID && m.FromSession != 3 {
						t.Fatalf("the newcomer attends from session %d", m.FromSession)
					}
				}
				// The facilitators of session 3, ten days ahead, are told about
				// the new interpreter language; nobody about later sessions.
				mails, _ := db.MailsByKeyPrefix(ctx, "interpreters:"+after[2].ID+":")
				if len(mails) != 2 || !strings.Contains(mails[0].TextBody, "Dari") || !strings.Contains(mails[0].TextBody, "7 gezinnen") {
					t.Fatalf("notices about session 3: %+v", mails)
				}
				if later, _ := db.MailsByKeyPrefix(ctx, "interpreters:"+after[4].ID+":"); len(later) != 0 {
					t.Fatalf("session 5 is months ahead and was mailed: %+v", later)
				}
				for _, m := range mails {
					if strings.Contains(m.TextBody, "TA-7") || strings.Contains(m.TextBody, "MK-") {
						t.Fatal("a notice names a family")
					}
				}
				// Both feeds show the new family count of the sessions from 3 on.
				if _, err := p.Publish(ctx, c.now()); err != nil {
					t.Fatal(err)
				}
				for _, f := range []*store.Feed{w.orgFeed, w.nurseFeed} {
					served, err := db.FeedForServing(ctx, f.ID)
					if err != nil {
						t.Fatal(err)
					}
					if n := strings.Count(unfold(served.Body), "7 gezinnen"); n != 6 {
						t.Fatalf("feed %s shows 7 families in %d sessions; want 6 (sessions 3 to 8)", f.Kind, n)
					}
				}
			})
		})
	}
}

// unfold joins iCalendar's folded lines.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// drenthe adds the receiving side of a handover: GGD Drenthe serving azc
// Assen, with one running group of six born in November and a baby of its
// own whose ref is MK-1, the ref of one of Groningen's families.
func (w *musselkanaal) drenthe(t *testing.T) (*store.Organisation, *store.Location, store.Actor) {
	t.Helper()
	ctx := context.Background()
	db := w.db
	org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
	if _, err := db.UpdateOrganisation(ctx, store.System, org.ID, func(o *store.Organisation) { o.ContactEmail = "co@ggd-drenthe.example" }); err != nil {
		t.Fatal(err)
	}
	assen := storetest.MustCreateLocation(t, db, org.ID, "azc Assen")
	tuesday := []civil.Weekly{{Weekday: 2, From: 9 * 60, To: 17 * 60}}
	if err := db.CreateRoom(ctx, store.System, assen.ID, &store.Room{Name: "Zaal", Capacity: 24, OpeningHours: tuesday}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Els Bakker", "Yusuf Demir"} {
		f := &store.Facilitator{OrganisationID: org.ID, DisplayName: name, Role: []store.FacilitatorRole{store.RoleNurseFacilitator, store.RoleDoctor}[i],
			COTrained: i == 0, Availability: tuesday, MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
		if err := db.CreateFacilitator(ctx, store.System, f); err != nil {
			t.Fatal(err)
		}
	}
	for i, birth := range []string{"2026-11-08", "2026-11-11", "2026-11-15", "2026-11-19", "2026-11-23", "2026-11-27"} {
		ref := fmt.Sprintf("DR-%d", i+1)
		if i == 0 {
			ref = "MK-1"
		}
		b := &store.Baby{LocationID: assen.ID, Ref: ref, Language: "ti", BirthDate: storetest.Date(birth)}
		if err := db.CreateBaby(ctx, store.System, b); err != nil {
			t.Fatal(err)
		}
	}
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	if _, err := w.uc.RunPlan(ctx, coord, org.ID, true); err != nil {
		t.Fatal(err)
	}
	return org, assen, coord
}

// A move to a location another organisation serves hands the record over:
// the receiver is told and sees the arrival with the groups that fit, the
// sender learns nothing of the receiver's refs, and both logs record it.
func TestMoveToAnotherOrganisationIsAWarmHandover(t *testing.T) {
	c := &clock{}
	storetest.Each(t, c.now, func(t *testing.T, db *store.DB) {
		c.set("2026-12-10 09:00")
		ctx := context.Background()
		w := newMusselkanaal(t, db, c)
		drOrg, assen, drCoord := w.drenthe(t)
		// The day after the first session (planned after the Christmas holiday).
		c.set(w.sessions[0].EndsAt.AddDate(0, 0, 1).Format("2006-01-02") + " 09:00")
		day := civil.Today(c.now())

		// Two Groningen families move to Assen: MK-1, whose ref Drenthe
		// uses, and MK-2, whose ref is free there. The sender's answers are
		// alike: no refusal, no record, no proposals.
		var moved []*coordination.Relocation
		for _, ref := range []string{"MK-1", "MK-2"} {
			bs, _, _ := db.Babies(ctx, w.coord, store.BabyFilter{Ref: ref, Page: store.Page{Limit: 1}})
			r, err := w.uc.RecordMove(ctx, w.coord, bs[0].ID, assen.ID, day, "")
			if err != nil {
				t.Fatalf("move %s: %v", ref, err)
			}
			if r.Handover == nil || r.Baby != nil || len(r.Proposals) != 0 || len(r.LeftGroups) != 1 {
				t.Fatalf("move %s: %+v", ref, r)
			}
			moved = append(moved, r)
		}
		if _, err := db.Baby(ctx, w.coord, *moved[0].Handover.BabyID); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("the sender still reads the record: %v", err)
		}
		sent, _, err := db.SentHandovers(ctx, w.coord, store.HandoverFilter{Page: store.Page{Limit: 10}})
		if err != nil || len(sent) != 2 || sent[0].ToOrganisationName != "GGD Drenthe" || sent[0].ToLocationName != "azc Assen" {
			t.Fatalf("what the sender keeps: %+v, %v", sent, err)
		}
		// The group they left carries on with four, and is below six.
		if g := w.groupSessions(t); g[7].Families != 4 {
			t.Fatalf("the left group's last session has %d families", g[7].Families)
		}

		// Drenthe: two arrivals, pending, not in its baby list, not planned.
		arrivals, total, err := w.uc.Arrivals(ctx, drCoord, store.HandoverFilter{Page: store.Page{Limit: 10}})
		if err != nil || total != 2 {
			t.Fatalf("arrivals: %+v, %v", arrivals, err)
		}
		for _, a := range arrivals {
			if a.Status != store.HandoverPending || a.Baby == nil || a.FromOrganisationName != "GGD Groningen" || len(a.Proposals) != 1 {
				t.Fatalf("arrival: %+v", a)
			}
			if len(a.AttendedSessions) == 0 || a.AttendedSessions[0] != 1 {
				t.Fatalf("the sessions attended in Musselkanaal: %v", a.AttendedSessions)
			}
		}
		if list, _, _ := db.Babies(ctx, drCoord, store.BabyFilter{Page: store.Page{Limit: 50}}); len(list) != 6 {
			t.Fatalf("Drenthe's baby list holds %d records; the arrivals are not in it until accepted", len(list))
		}
		if _, err := w.uc.RunPlan(ctx, drCoord, drOrg.ID, false); err != nil {
			t.Fatal(err)
		}
		for _, a := range arrivals {
			if ms, _ := db.GroupMembers(ctx, drCoord, a.Proposals[0].GroupID); slices.ContainsFunc(ms, func(m store.Member) bool { return m.BabyID == a.Baby.ID }) {
				t.Fatal("an arrival was planned before it was accepted")
			}
		}
		mails, _ := db.MailsByKeyPrefix(ctx, "arrival:")
		if len(mails) != 2 || mails[0].ToAddress != "co@ggd-drenthe.example" || !strings.Contains(mails[0].TextBody, "azc Assen") {
			t.Fatalf("the receiver's notices: %+v", mails)
		}
		for _, m := range mails {
			for _, secret := range []string{"MK-", "2026", "Musselkanaal", "Groningen"} {
				if strings.Contains(m.TextBody+m.Subject, secret) {
					t.Fatalf("the arrival notice names %q:\n%s", secret, m.TextBody)
				}
			}
		}

		// Accepting: the clashing ref is refused on the receiver's side, a new
		// one is taken, and the family joins the group in the same step.
		byRef := map[string]coordination.Arrival{}
		for _, a := range arrivals {
			byRef[a.ProposedRef] = a
		}
		clash := byRef["MK-1"]
		if _, err := w.uc.AcceptHandover(ctx, drCoord, clash.ID, "", ""); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("accepting under a ref Drenthe uses: %v", err)
		}
		acc, err := w.uc.AcceptHandover(ctx, drCoord, clash.ID, "DR-9", clash.Proposals[0].GroupID)
		if err != nil || acc.Baby.Ref != "DR-9" || acc.Joined == nil || acc.Joined.GroupID != clash.Proposals[0].GroupID {
			t.Fatalf("accept with a new ref and a group: %+v, %v", acc, err)
		}
		if _, err := w.uc.AcceptHandover(ctx, drCoord, clash.ID, "DR-10", ""); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("accepting twice: %v", err)
		}
		if acc, err := w.uc.AcceptHandover(ctx, drCoord, byRef["MK-2"].ID, "", ""); err != nil || acc.Baby.Ref != "MK-2" {
			t.Fatalf("accept under the sender's ref: %+v, %v", acc, err)
		}
		// The sender's view is unchanged by what the receiver did.
		again, _, _ := db.SentHandovers(ctx, w.coord, store.HandoverFilter{Page: store.Page{Limit: 10}})
		if fmt.Sprint(again) != fmt.Sprint(sent) {
			t.Fatalf("the sender sees the receiver's acceptance: %+v, was %+v", again, sent)
		}
		// Both logs record the handover.
		senderRows, _, _ := db.AuditLog(ctx, w.coord, store.AuditFilter{RecordID: clash.Baby.ID, Limit: 50})
		receiverRows, _, _ := db.AuditLog(ctx, drCoord, store.AuditFilter{RecordID: clash.Baby.ID, Limit: 50})
		if !hasDetail(senderRows, "handed over to organisation "+drOrg.ID) || !hasDetail(receiverRows, "awaiting acceptance") || !hasDetail(receiverRows, "accepted") {
			t.Fatalf("audit: sender %+v\nreceiver %+v", senderRows, receiverRows)
		}
		for _, r := range senderRows {
			if strings.Contains(r.Detail, "DR-9") || strings.Contains(r.Detail, "joined") {
				t.Fatalf("the sender's log shows what the receiver did: %+v", r)
			}
		}
	})
}

func hasDetail(rows []store.AuditEntry, part string) bool {
	return slices.ContainsFunc(rows, func(r store.AuditEntry) bool { return strings.Contains(r.Detail, part) })
}

// Leaving, below the minimum, merging and dissolving, on two groups at
// Musselkanaal born a few days apart.
func TestGroupsShrinkMergeAndDissolve(t *testing.T) {
	c := &clock{}
	storetest.Each(t, c.now, func(t *testing.T, db *store.DB) {
		c.set("2026-12-10 09:00")
		ctx := context.Background()
		w := newMusselkanaal(t, db, c)
		// A second cohort, born 29 November to 2 December, gets a group of its own.
		var later []string
		for i, birth := range []string{"2026-11-29", "2026-11-30", "2026-12-01", "2026-12-01", "2026-12-02", "2026-12-02"} {
			b := &store.Baby{LocationID: w.mk.ID, Ref: fmt.Sprintf("MK-D%d", i+1), Language: "ar", BirthDate: storetest.Date(birth)}
			if err := db.CreateBaby(ctx, store.System, b); err != nil {
				t.Fatal(err)
			}
			later = append(later, b.ID)
		}
		if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, true); err != nil {
			t.Fatal(err)
		}
		groups, _, _ := db.Groups(ctx, w.coord, store.GroupFilter{Page: store.Page{Limit: 10}})
		if len(groups) != 2 {
			t.Fatalf("want two groups: %+v", groups)
		}
		november, december := groups[0], groups[1]
		if november.ID != w.group.ID {
			november, december = december, november
		}
		if !slices.Equal(december.BabyIDs, sorted(later)) {
			t.Fatalf("the second cohort is not a group of its own: %+v", december)
		}
		if november.Name == december.Name || !strings.HasPrefix(november.Name, "Musselkanaal · nov 2026") {
			t.Fatalf("group names: %q and %q", november.Name, december.Name)
		}
		c.set("2026-12-15 09:00")

		// Merging six into six: two fit a group of at most eight, the other
		// four are refused, each named.
		_, err := w.uc.MergeGroup(ctx, w.coord, december.ID, november.ID)
		var e *store.Error
		if !errorsAs(err, &e) || e.Code != store.EUnprocessable || len(e.Violations) != 4 || e.Violations[0].Rule != "group_size" || e.Violations[0].BabyID == "" {
			t.Fatalf("merging 6 into 6: %v", err)
		}

		// The two oldest November families move to Ter Apel. The group falls
		// below six once, and says so.
		oldest := w.membersByBirth(t, november.ID)
		for _, id := range oldest[:2] {
			r, err := w.uc.RecordMove(ctx, w.coord, id, w.terApel.ID, civil.Today(c.now()), "")
			if err != nil || len(r.LeftGroups) != 1 || r.LeftGroups[0] != november.ID {
				t.Fatalf("move: %+v, %v", r, err)
			}
		}
		for _, s := range w.groupSessions(t) {
			if s.StartsAt.After(c.now()) && s.Families != 4 {
				t.Fatalf("session %d has %d families after two left", s.Number, s.Families)
			}
		}
		told, _ := db.MailsByKeyPrefix(ctx, "below-minimum:"+november.ID+":")
		if len(told) != 3 { // both facilitators and the organisation, once
			t.Fatalf("below-minimum notices: %+v", told)
		}
		conflicts, err := w.uc.Conflicts(ctx, w.coord)
		if err != nil || !slices.ContainsFunc(conflicts, func(c coordination.Conflict) bool {
			return c.Rule == coordination.GroupBelowMinimum && c.GroupID == november.ID && c.Violation.Value == 4
		}) {
			t.Fatalf("conflicts: %+v, %v", conflicts, err)
		}
		// A status without a reason is refused, and nothing changes.
		if _, err := w.uc.ChangeBaby(ctx, w.coord, oldest[2], func(b *store.Baby) { b.Status = store.StatusLeft }); store.ErrorCode(err) != store.EInvalid {
			t.Fatalf("left without a reason: %v", err)
		}

		// In December one family leaves reception (housed by a municipality)
		// and one is taken out by hand; then four into four fits.
		left, statushouder := store.StatusLeft, store.LeftStatushouder
		ch, err := w.uc.ChangeBaby(ctx, w.coord, later[0], func(b *store.Baby) { b.Status, b.LeftReason = left, statushouder })
		if err != nil || len(ch.LeftGroups) != 1 || ch.Baby.LeftOn == nil || *ch.Baby.LeftOn != civil.Today(c.now()) {
			t.Fatalf("leaving: %+v, %v", ch, err)
		}
		if err := w.uc.RemoveMember(ctx, w.coord, december.ID, later[1]); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.RemoveMember(ctx, w.coord, december.ID, later[1]); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("removing a member twice: %v", err)
		}
		into, err := w.uc.MergeGroup(ctx, w.coord, december.ID, november.ID)
		if err != nil || into.ID != november.ID {
			t.Fatalf("merge 4 into 4: %+v, %v", into, err)
		}
		members, _ := db.GroupMembers(ctx, w.coord, november.ID)
		if len(members) != 8 {
			t.Fatalf("merged members: %d", len(members))
		}
		all, _, _ := db.Groups(ctx, w.coord, store.GroupFilter{Page: store.Page{Limit: 10}})
		for _, g := range all {
			if g.ID == december.ID && (g.EndedOn == nil || g.MergedInto != november.ID || len(g.BabyIDs) != 0) {
				t.Fatalf("the merged group: %+v", g)
			}
		}
		ss, _, _ := db.Sessions(ctx, w.coord, store.SessionFilter{GroupID: december.ID, Page: store.Page{Limit: 20}})
		for _, s := range ss {
			if s.StartsAt.After(c.now()) && s.Status != store.SessionCancelled {
				t.Fatalf("session %d of the merged group is still %s", s.Number, s.Status)
			}
		}
		for _, s := range w.groupSessions(t) {
			if s.StartsAt.After(c.now()) && s.Families < 4 {
				t.Fatalf("session %d of the group merged into has %d families", s.Number, s.Families)
			}
		}
		if _, err := w.uc.MergeGroup(ctx, w.coord, december.ID, november.ID); store.ErrorCode(err) != store.EUnprocessable {
			t.Fatalf("merging an ended group: %v", err)
		}

		// Dissolving cancels the future sessions and lets the members wait again.
		if _, err := w.uc.DissolveGroup(ctx, w.coord, november.ID); err != nil {
			t.Fatal(err)
		}
		if ms, _ := db.GroupMembers(ctx, w.coord, november.ID); len(ms) != 0 {
			t.Fatalf("a dissolved group has members: %+v", ms)
		}
		for _, s := range w.groupSessions(t) {
			if s.StartsAt.After(c.now()) && s.Status != store.SessionCancelled {
				t.Fatalf("session %d of the dissolved group is still %s", s.Number, s.Status)
			}
		}
		if _, err := w.uc.DissolveGroup(ctx, w.coord, november.ID); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("dissolving twice: %v", err)
		}
	})
}

// membersByBirth lists a group's members, oldest first.
func (w *musselkanaal) membersByBirth(t *testing.T, groupID string) []string {
	t.Helper()
	ms, err := w.db.GroupMembers(context.Background(), w.coord, groupID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.BabyID)
	}
	return out
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
