package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// movable is a clock a test moves on.
type movable struct {
	mu sync.Mutex
	t  time.Time
}

func (m *movable) now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *movable) set(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = storetest.FixedClock(s)()
}

// The relocation routes as a coordinator, a nurse and location staff use
// them, on both databases: a move proposes the running group, joining names
// the session, every refusal names its rule and field, nurses read the
// members of their own groups only, and a handover is accepted once.
func TestRelocationThroughTheAPI(t *testing.T) {
	c := &movable{}
	c.set("2026-12-10 09:00")
	storetest.Each(t, c.now, func(t *testing.T, db *store.DB) {
		c.set("2026-12-10 09:00")
		e := newEnvClock(t, db, c.now)
		org := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Groningen", "contact_email": "co@groningen.example"})
		other := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Drenthe", "contact_email": "co@drenthe.example"})
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org})
		otherCoord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: other})
		mk := e.create("/api/v1/locations", coord, map[string]any{"kind": "azc", "name": "azc Musselkanaal", "municipality": "Stadskanaal"})
		terApel := e.create("/api/v1/locations", coord, map[string]any{"kind": "azc", "name": "azc Ter Apel", "municipality": "Vlagtwedde"})
		assen := e.create("/api/v1/locations", otherCoord, map[string]any{"kind": "azc", "name": "azc Assen", "municipality": "Assen"})
		tuesday := []map[string]any{{"weekday": 2, "from": "09:00", "to": "17:00"}}
		e.create("/api/v1/locations/"+mk+"/rooms", coord, map[string]any{"name": "Groepsruimte 1", "capacity": 24, "opening_hours": tuesday})
		var staff []string
		for i, name := range []string{"Anna de Vries", "Samir Haddad", "Petra Smit"} {
			staff = append(staff, e.create("/api/v1/facilitators", coord, map[string]any{"display_name": name, "email": fmt.Sprintf("f%d@example.org", i),
				"role": []string{"nurse", "doctor", "nurse"}[i], "co_trained": i != 1, "availability": tuesday, "max_sessions_per_week": 5,
				"languages": []string{"nl", "ar"}[:1+i%2]}))
		}
		var babies []string
		for i, birth := range []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"} {
			babies = append(babies, e.create("/api/v1/babies", coord, map[string]any{"ref": fmt.Sprintf("MK-%d", i+1), "birth_date": birth,
				"location_id": mk, "language": []string{"ar", "ti"}[i%2]}))
		}
		if a := e.do("POST", "/api/v1/plan", coord, map[string]any{"publish": true}); a.status != 200 {
			t.Fatalf("plan: %d %s", a.status, a.body)
		}
		var groups struct{ Items []store.Group }
		json.Unmarshal(e.do("GET", "/api/v1/groups", coord, nil).body, &groups)
		if len(groups.Items) != 1 {
			t.Fatalf("groups: %+v", groups)
		}
		g := groups.Items[0]

		// A baby at Ter Apel moves to Musselkanaal in March; the answer
		// proposes the running group from a later session.
		c.set("2027-03-01 09:00")
		newcomer := e.create("/api/v1/babies", coord, map[string]any{"ref": "TA-7", "birth_date": "2026-11-20", "location_id": terApel, "language": "prs"})
		a := e.do("POST", "/api/v1/babies/"+newcomer+"/moves", coord, map[string]any{"to_location_id": mk, "date": "2027-03-01"})
		var moved struct {
			Proposals []struct {
				GroupID     string `json:"group_id"`
				GroupName   string `json:"group_name"`
				FromSession int    `json:"from_session"`
			}
		}
		if json.Unmarshal(a.body, &moved); a.status != 201 || len(moved.Proposals) != 1 || moved.Proposals[0].GroupID != g.ID || moved.Proposals[0].FromSession < 2 {
			t.Fatalf("move: %d %s", a.status, a.body)
		}
		if a := e.do("GET", "/api/v1/babies/"+newcomer+"/proposals", coord, nil); a.status != 200 || !strings.Contains(string(a.body), g.ID) {
			t.Fatalf("proposals: %d %s", a.status, a.body)
		}
		members := "/api/v1/groups/" + g.ID + "/members"
		problem(t, e.do("POST", members, coord, map[string]any{}), 400, "baby_id")
		a = e.do("POST", members, coord, map[string]any{"baby_id": newcomer})
		if a.status != 201 || a.json(t)["from_session"].(float64) != float64(moved.Proposals[0].FromSession) {
			t.Fatalf("join: %d %s", a.status, a.body)
		}
		// Twice is a conflict naming the rule; another organisation's group
		// does not exist for this coordinator.
		ruleOf(t, e.do("POST", members, coord, map[string]any{"baby_id": newcomer}), 409, "baby_placed_twice")
		problem(t, e.do("POST", members, otherCoord, map[string]any{"baby_id": newcomer}), 404, "")
		// Too young for the group: born in January, outside the birth window.
		young := e.create("/api/v1/babies", coord, map[string]any{"ref": "MK-9", "birth_date": "2027-01-20", "location_id": mk, "language": "ar"})
		ruleOf(t, e.do("POST", members, coord, map[string]any{"baby_id": young}), 422, "birth_window")
		// Not enrolled: refused before any planning.
		declined := e.create("/api/v1/babies", coord, map[string]any{"ref": "MK-10", "birth_date": "2026-11-21", "location_id": mk, "status": "declined"})
		problem(t, e.do("POST", members, coord, map[string]any{"baby_id": declined}), 422, "baby_id")
		// The group page offers the waiting babies whose age fits (born
		// within the birth window of every member), not the one too young.
		e.create("/api/v1/babies", coord, map[string]any{"ref": "MK-11", "birth_date": "2026-11-22", "location_id": mk, "language": "ti"})
		page := e.do("GET", "/groups/"+g.ID, coord, nil)
		if body := string(page.body); page.status != 200 || !strings.Contains(body, ">MK-11 &middot;") || strings.Contains(body, ">MK-9 &middot;") ||
			!strings.Contains(body, "geboren van 31 okt 2026 tot en met 5 dec 2026") {
			t.Fatalf("the group page's waiting babies: %d\n%s", page.status, body)
		}

		// The group's nurse reads its members, audited under her token;
		// a nurse of no session of it, and location staff, get nothing.
		var sessions struct{ Items []store.Session }
		json.Unmarshal(e.do("GET", "/api/v1/sessions?group_id="+g.ID, coord, nil).body, &sessions)
		lead := sessions.Items[0].FacilitatorIDs[0]
		nurse, nurseActor := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: lead})
		a = e.do("GET", members, nurse, nil)
		var list struct{ Items []store.Member }
		if json.Unmarshal(a.body, &list); a.status != 200 || len(list.Items) != 7 || list.Items[0].Ref != "MK-1" || list.Items[0].AgeDays == 0 || list.Items[0].Language != "ar" {
			t.Fatalf("the nurse's view of the members: %d %s", a.status, a.body)
		}
		rows, _, _ := db.AuditLog(context.Background(), store.System, store.AuditFilter{RecordID: newcomer, Action: store.ActionRead, Limit: 50})
		if len(rows) == 0 || rows[0].TokenID != nurseActor.TokenID || rows[0].Role != store.RoleNurse {
			t.Fatalf("the nurse's read is not audited under her token: %+v", rows)
		}
		var outsider string
		for _, id := range staff {
			if id != sessions.Items[0].FacilitatorIDs[0] && id != sessions.Items[0].FacilitatorIDs[1] {
				outsider = id
			}
		}
		stranger, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: outsider})
		problem(t, e.do("GET", members, stranger, nil), 404, "")
		location, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: mk})
		problem(t, e.do("GET", members, location, nil), 404, "")
		problem(t, e.do("GET", "/api/v1/babies/"+newcomer, nurse, nil), 404, "")

		// Leaving needs its reason; then the family is off the sessions.
		problem(t, e.do("PATCH", "/api/v1/babies/"+babies[0], coord, map[string]any{"status": "left"}), 400, "left_reason")
		problem(t, e.do("PATCH", "/api/v1/babies/"+babies[0], coord, map[string]any{"status": "left", "left_reason": "housed"}), 400, "left_reason")
		a = e.do("PATCH", "/api/v1/babies/"+babies[0], coord, map[string]any{"status": "left", "left_reason": "statushouder"})
		if a.status != 200 || !strings.Contains(string(a.body), `"left_groups":["`+g.ID+`"]`) || !strings.Contains(string(a.body), `"left_on":"2027-03-01"`) {
			t.Fatalf("leaving: %d %s", a.status, a.body)
		}
		if a := e.do("DELETE", members+"/"+babies[1], coord, nil); a.status != 204 {
			t.Fatalf("remove member: %d %s", a.status, a.body)
		}
		problem(t, e.do("DELETE", members+"/"+babies[1], coord, nil), 404, "")

		// A move to Assen hands the record over; Drenthe accepts it once.
		a = e.do("POST", "/api/v1/babies/"+babies[2]+"/moves", coord, map[string]any{"to_location_id": assen, "date": "2027-03-01"})
		if a.status != 201 || !strings.Contains(string(a.body), `"handover":{`) || strings.Contains(string(a.body), `"ref"`) {
			t.Fatalf("handover move: %d %s", a.status, a.body)
		}
		var arrivals struct {
			Items []struct {
				ID          string `json:"id"`
				ProposedRef string `json:"proposed_ref"`
			}
			Total int
		}
		a = e.do("GET", "/api/v1/handovers", otherCoord, nil)
		if json.Unmarshal(a.body, &arrivals); a.status != 200 || arrivals.Total != 1 || arrivals.Items[0].ProposedRef != "MK-3" {
			t.Fatalf("arrivals: %d %s", a.status, a.body)
		}
		if a := e.do("GET", "/api/v1/handovers?direction=sent", coord, nil); a.status != 200 || !strings.Contains(string(a.body), `"to_organisation_name":"GGD Drenthe"`) {
			t.Fatalf("sent: %d %s", a.status, a.body)
		}
		problem(t, e.do("GET", "/api/v1/handovers?direction=sideways", coord, nil), 400, "direction")
		accept := "/api/v1/handovers/" + arrivals.Items[0].ID + "/accept"
		problem(t, e.do("POST", accept, coord, map[string]any{}), 404, "")
		if a := e.do("POST", accept, otherCoord, map[string]any{}); a.status != 200 || !strings.Contains(string(a.body), `"ref":"MK-3"`) {
			t.Fatalf("accept: %d %s", a.status, a.body)
		}
		problem(t, e.do("POST", accept, otherCoord, map[string]any{}), 409, "id")

		// Merge and dissolve: into itself is refused; dissolving twice too.
		problem(t, e.do("POST", "/api/v1/groups/"+g.ID+"/merge", coord, map[string]any{"into": g.ID}), 422, "into")
		problem(t, e.do("POST", "/api/v1/groups/"+g.ID+"/merge", coord, map[string]any{"into": "g-nothing"}), 400, "into")
		if a := e.do("POST", "/api/v1/groups/"+g.ID+"/dissolve", coord, nil); a.status != 200 || !strings.Contains(string(a.body), `"ended_on":"2027-03-01"`) {
			t.Fatalf("dissolve: %d %s", a.status, a.body)
		}
		problem(t, e.do("POST", "/api/v1/groups/"+g.ID+"/dissolve", coord, nil), 409, "id")
		problem(t, e.do("POST", members, coord, map[string]any{"baby_id": babies[3]}), 409, "group_id")
	})
}

// ruleOf checks a refusal's status and that it names rule for baby_id.
func ruleOf(t *testing.T, a answer, status int, rule string) {
	t.Helper()
	problem(t, a, status, "baby_id")
	if !strings.Contains(string(a.body), `"rule":"`+rule+`"`) {
		t.Fatalf("the refusal does not name %s: %s", rule, a.body)
	}
}
