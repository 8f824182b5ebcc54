package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// After the plan, on both databases: attendance is refused before the
// session starts, for a family not in the group (every bad entry named,
// nothing stored), by a nurse who does not facilitate it, and by the nurse
// after 14 days (the coordinator may); the contact moments hold exactly the
// present families with the session's type, as CSV and as a FHIR Bundle
// parsed back by the library; the follow-up list names the family absent
// at the 3-month session; the nurse records it on her tablet page.
func TestAttendanceContactMomentsAndFollowUps(t *testing.T) {
	m := &movable{}
	storetest.Each(t, m.now, func(t *testing.T, db *store.DB) {
		m.set("2027-01-04 10:00")
		e := newEnvClock(t, db, m.now)
		w := newFlowWorld(t, db)
		ctx := context.Background()
		babies := w.planSixFamilies(t, e)
		sessions, _, err := db.Sessions(ctx, w.coord, store.SessionFilter{Page: store.Page{Limit: 20}})
		if err != nil || len(sessions) < 2 {
			t.Fatalf("planned sessions: %d, %v", len(sessions), err)
		}
		s1, s2 := sessions[0], sessions[1]
		nurse := e.tokenOf(t, store.Token{Role: store.RoleNurse, FacilitatorID: w.nurse.ID})
		coord := e.tokenOf(t, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org.ID})
		all := func(status string, except ...string) []map[string]string {
			var out []map[string]string
			for _, b := range babies {
				st := status
				for _, x := range except {
					if x == b.ID {
						st = store.AbsentNoNotice
					}
				}
				out = append(out, map[string]string{"baby_id": b.ID, "status": st})
			}
			return out
		}
		path := func(s store.Session) string { return "/api/v1/sessions/" + s.ID + "/attendance" }

		// Before the session: refused, naming the session.
		problem(t, e.do("PUT", path(s2), nurse, map[string]any{"attendance": all(store.Present)}), http.StatusBadRequest, "session")

		// Session 1 has no attendance two days after it ended: its nurse is
		// reminded through the outbox, once a day, without a family named.
		m.set(s1.EndsAt.Add(3 * 24 * time.Hour).Format("2006-01-02 15:04"))
		uc := coordination.New(db).WithBaseURL("http://coplan.test")
		for i := 0; i < 2; i++ {
			if _, _, err := uc.RemindAttendance(ctx, m.now().Add(time.Duration(i)*time.Hour), "test"); err != nil {
				t.Fatal(err)
			}
		}
		reminders, _ := db.MailsByKeyPrefix(ctx, "attendance:"+s1.ID+":")
		to := map[string]bool{}
		for _, r := range reminders {
			to[r.ToAddress] = true
			if !strings.Contains(r.TextBody, "/sessions/"+s1.ID+"/attendance") {
				t.Fatalf("the reminder does not link the page: %s", r.TextBody)
			}
			for _, b := range babies {
				if strings.Contains(r.TextBody, b.Ref) {
					t.Fatalf("the reminder names a family: %s", r.TextBody)
				}
			}
		}
		if len(reminders) != 2 || !to["anna@example.org"] || !to["samir@example.org"] {
			t.Fatalf("attendance reminders, one to each facilitator: %+v", reminders)
		}
		m.set(s2.StartsAt.Add(30 * time.Minute).Format("2006-01-02 15:04"))
		stranger := storetest.MustCreateBaby(t, db, w.terApel.ID, "TA-9", "2026-11-20")
		bad := append(all(store.Present), map[string]string{"baby_id": stranger.ID, "status": store.Present}, map[string]string{"baby_id": babies[0].ID, "status": "maybe"})
		a := e.do("PUT", path(s2), nurse, map[string]any{"attendance": bad})
		problem(t, a, http.StatusBadRequest, "attendance[6].baby_id")
		problem(t, a, http.StatusBadRequest, "attendance[7].baby_id")
		problem(t, a, http.StatusBadRequest, "attendance[7].status")
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM attendance"); n != 0 {
			t.Fatalf("a refused attendance stored %d rows", n)
		}
		other := &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Petra Smit", Role: store.RoleNurseFacilitator, COTrained: true, MaxSessionsPerWeek: 4}
		if err := db.CreateFacilitator(ctx, store.System, other); err != nil {
			t.Fatal(err)
		}
		if st := e.do("PUT", path(s2), e.tokenOf(t, store.Token{Role: store.RoleNurse, FacilitatorID: other.ID}), map[string]any{"attendance": all(store.Present)}).status; st != http.StatusNotFound {
			t.Fatalf("a nurse who does not facilitate the session: %d", st)
		}
		if a := e.do("PUT", path(s2), nurse, map[string]any{"attendance": all(store.Present, babies[5].ID)}); a.status != http.StatusOK {
			t.Fatalf("the nurse's attendance: %d %s\n%s", a.status, a.body, e.logs.String())
		}
		got := e.do("GET", path(s2), nurse, "").json(t)
		lines := got["attendance"].([]any)
		if len(lines) != 6 || lines[5].(map[string]any)["status"] != store.AbsentNoNotice {
			t.Fatalf("attendance read back: %v", got)
		}
		// Session 1 ended more than 14 days ago: the coordinator records it.
		if a := e.do("PUT", path(s1), nurse, map[string]any{"attendance": all(store.Present)}); a.status != http.StatusForbidden {
			t.Fatalf("the nurse after 14 days: %d %s", a.status, a.body)
		}
		if st := e.do("PUT", path(s1), coord, map[string]any{"attendance": all(store.Present)}).status; st != http.StatusOK {
			t.Fatalf("the coordinator after 14 days: %d", st)
		}

		// Contact moments: exactly the present families, with the type.
		period := "?from=" + s1.StartsAt.Format("2006-01-02") + "&to=" + s2.StartsAt.Format("2006-01-02")
		if st := e.do("GET", "/api/v1/contact-moments"+period, nurse, "").status; st != http.StatusForbidden {
			t.Fatalf("a nurse exporting contact moments: %d", st)
		}
		var cms struct {
			Items []store.ContactMoment
			Total int
		}
		if err := json.Unmarshal(e.do("GET", "/api/v1/contact-moments"+period, coord, "").body, &cms); err != nil || cms.Total != 11 {
			t.Fatalf("contact moments: %d, %v", cms.Total, err)
		}
		types := map[string]int{}
		for _, cm := range cms.Items {
			types[cm.Type]++
			if cm.BabyID == babies[5].ID && cm.SessionID == s2.ID {
				t.Fatal("the absent family has a contact moment")
			}
		}
		if types["weeks_4_8"] != 6 || types["months_3"] != 5 {
			t.Fatalf("contact moment types: %v", types)
		}
		csv := e.do("GET", "/api/v1/contact-moments.csv"+period, coord, "")
		if !strings.HasPrefix(string(csv.body), "\ufeffRef;") || strings.Count(string(csv.body), "3 maanden") != 5 || !strings.Contains(string(csv.body), "Anna de Vries") {
			t.Fatalf("the CSV: %s", csv.body)
		}
		fh := e.do("GET", "/api/v1/contact-moments.fhir"+period, coord, "")
		if !strings.HasPrefix(fh.header.Get("Content-Type"), "application/fhir+json") {
			t.Fatalf("FHIR content type %q", fh.header.Get("Content-Type"))
		}
		bundle, err := fhir.UnmarshalBundle(fh.body)
		if err != nil || bundle.Type != fhir.BundleTypeCollection || len(bundle.Entry) != 11 {
			t.Fatalf("the bundle: %v entries, %v", len(bundle.Entry), err)
		}
		refs := map[string]bool{}
		for _, entry := range bundle.Entry {
			enc, err := fhir.UnmarshalEncounter(entry.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if enc.Status != fhir.EncounterStatusFinished || enc.Subject == nil || enc.Subject.Identifier == nil || enc.Period == nil || len(enc.Type) != 1 {
				t.Fatalf("an encounter: %s", entry.Resource)
			}
			refs[*enc.Subject.Identifier.Value] = true
			for _, forbidden := range []string{"birth", "name", "address", "language"} {
				if strings.Contains(strings.ToLower(string(entry.Resource)), `"`+forbidden) {
					t.Fatalf("the encounter carries %s: %s", forbidden, entry.Resource)
				}
			}
		}
		if len(refs) != 6 || !refs["MK-1"] {
			t.Fatalf("the bundle's subjects: %v", refs)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'contact_moments' AND detail LIKE '%, 11 rows'"); n != 3 {
			t.Fatalf("%d exports of contact moments logged, want 3", n)
		}

		// The follow-up list names the family absent at the 3-month session.
		var ups struct{ Items []store.FollowUp }
		json.Unmarshal(e.do("GET", "/api/v1/follow-ups", nurse, "").body, &ups)
		if len(ups.Items) != 1 || ups.Items[0].Ref != "MK-6" || ups.Items[0].Type != "months_3" {
			t.Fatalf("follow-ups: %+v", ups.Items)
		}

		// The report's attendance rate is the hand count: 6 of 6 at session
		// 1, 5 of 6 at session 2, so 11 of 12 once session 2 is over.
		m.set(s2.EndsAt.Add(time.Hour).Format("2006-01-02 15:04"))
		rep := e.do("GET", "/reports"+period, coord, "")
		if rep.status != 200 || !strings.Contains(string(rep.body), "91,7% (11/12)") || strings.Contains(string(rep.body), "MK-") {
			t.Fatalf("the report: %d %s", rep.status, rep.body)
		}
		cb := signIn(t, e, w.coord)
		if text := visit(t, e, cb, "/reports"+period, "reports"); !strings.Contains(text, "91,7% (11/12)") || !strings.Contains(text, "Per taal") {
			t.Fatalf("the report page: %s", text)
		}
		if st := e.do("GET", "/reports"+period, nurse, "").status; st != http.StatusForbidden {
			t.Fatalf("a nurse's report: %d", st)
		}
		repCSV := e.do("GET", "/reports.csv"+period+"&excel=0", coord, "")
		if !strings.Contains(string(repCSV.body), "organisation,Organisatie,"+w.org.ID+",GGD Groningen,6,2,11,12,91.66") {
			t.Fatalf("the report CSV: %s", repCSV.body)
		}

		// On her tablet page the nurse sees it and corrects the attendance.
		b := signIn(t, e, w.nurseActor)
		text := visit(t, e, b, "/me/sessions", "nurse-after-session")
		if !strings.Contains(text, "Opvolgen") || !strings.Contains(text, "MK-6") || !strings.Contains(text, "3 maanden") {
			t.Fatalf("the nurse's page: %s", text)
		}
		visit(t, e, b, "/sessions/"+s2.ID+"/attendance", "attendance")
		pagetest.Do(t, b, chromedp.Click(chromedp.CSS(`input[name="status_`+babies[5].ID+`"][value="present"]`)))
		click(t, b, "Aanwezigheid opslaan", ".flash")
		check(t, b, "attendance-saved")
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM contact_moments WHERE session_id = '"+s2.ID+"'"); n != 6 {
			t.Fatalf("%d contact moments after the correction, want 6", n)
		}
		json.Unmarshal(e.do("GET", "/api/v1/follow-ups", nurse, "").body, &ups)
		if len(ups.Items) != 0 {
			t.Fatalf("follow-ups after the correction: %+v", ups.Items)
		}
	})
}
