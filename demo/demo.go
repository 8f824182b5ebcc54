// Package demo fills an empty database with a realistic Dutch example: four
// GGDs, COA locations such as Ter Apel, Budel, Musselkanaal, Burgum, Delfzijl and
// Emmen with rooms, CO-trained nurses and a few hundred babies. It has its own
// package because it is neither storage nor wiring: it is sample content, made
// through the same store calls as real data, so it obeys the same rules.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
)

type location struct {
	key, name, municipality string
	kind                    store.LocationKind
	catchment               []string
	weight                  int // share of the babies
	rooms                   []room
}

type room struct {
	name     string
	capacity int
	days     []int
	from, to string
}

type organisation struct {
	key, name, email string
	locations        []location
	languages        []string // languages its staff speak besides nl and en
}

var weekdays = []int{1, 2, 3, 4, 5}

var organisations = []organisation{
	{key: "gr", name: "GGD Groningen", email: "centering@ggd-groningen.example", languages: []string{"ar", "tr"}, locations: []location{
		{key: "TA", name: "AC Ter Apel", municipality: "Westerwolde", kind: store.KindAC, weight: 30,
			rooms: []room{{"Spreekkamer JGZ", 18, weekdays, "08:30", "17:00"}}},
		{key: "MK", name: "azc Musselkanaal", municipality: "Stadskanaal", kind: store.KindAZC, catchment: []string{"TA"}, weight: 22,
			rooms: []room{{"Groepsruimte 1", 26, weekdays, "08:30", "17:00"}, {"Groepsruimte 2", 24, weekdays, "08:30", "17:00"}}},
		{key: "DZ", name: "azc Delfzijl", municipality: "Eemsdelta", kind: store.KindAZC, weight: 8,
			rooms: []room{{"Ontmoetingsruimte", 27, []int{1, 2, 3}, "09:00", "17:00"}}},
	}},
	{key: "dr", name: "GGD Drenthe", email: "centering@ggd-drenthe.example", languages: []string{"ti"}, locations: []location{
		{key: "EM", name: "azc Emmen", municipality: "Emmen", kind: store.KindAZC, weight: 14,
			rooms: []room{{"Lokaal De Hondsrug", 22, weekdays, "09:00", "16:30"}}},
	}},
	{key: "fr", name: "GGD Fryslân", email: "centering@ggd-fryslan.example", languages: []string{"ar", "ps"}, locations: []location{
		{key: "BG", name: "noodopvang Burgum", municipality: "Tytsjerksteradiel", kind: store.KindNoodopvang, weight: 6,
			rooms: []room{{"Zaal It Klooster", 18, weekdays, "09:00", "17:00"}}},
		{key: "SN", name: "azc Sneek", municipality: "Súdwest-Fryslân", kind: store.KindAZC, catchment: []string{"BG"}, weight: 8,
			rooms: []room{{"Lokaal 3", 24, []int{3, 5}, "09:00", "16:00"}}},
	}},
	{key: "bz", name: "GGD Brabant-Zuidoost", email: "centering@ggd-bzo.example", languages: []string{"fa", "prs"}, locations: []location{
		{key: "BU", name: "AC Budel", municipality: "Cranendonck", kind: store.KindAC, weight: 7,
			rooms: []room{{"JGZ-ruimte", 16, weekdays, "08:30", "16:30"}}},
		{key: "BD", name: "azc Budel-Dorplein", municipality: "Cranendonck", kind: store.KindAZC, catchment: []string{"BU"}, weight: 5,
			rooms: []room{{"Kindcentrum", 20, []int{2, 4}, "09:00", "17:00"}}},
	}},
}

// Languages of the families, weighted roughly as in COA reception.
var familyLanguages = []struct {
	code   string
	weight int
}{{"ti", 30}, {"ar", 25}, {"tr", 10}, {"prs", 8}, {"fa", 6}, {"ku", 6}, {"so", 6}, {"ps", 4}, {"en", 3}, {"nl", 2}}

// Fill adds the demo data when the database holds no organisation yet and
// reports whether it did. Birth dates are relative to the store's today, so the
// demo always has babies of every age in the programme.
func Fill(ctx context.Context, db *store.DB) (bool, error) {
	_, total, err := db.Organisations(ctx, store.System, store.Page{Limit: 1})
	if err != nil || total > 0 {
		return false, err
	}
	rng := rand.New(rand.NewPCG(2027, 1))
	today := db.Today()
	locIDs := map[string]string{}
	type weighted struct {
		id, key string
		weight  int
	}
	var all []weighted
	for _, o := range organisations {
		org := &store.Organisation{Kind: store.KindGGD, Name: o.name, ContactEmail: o.email}
		if err := db.CreateOrganisation(ctx, store.System, org); err != nil {
			return false, err
		}
		for _, l := range o.locations {
			loc := &store.Location{OrganisationID: org.ID, Kind: l.kind, Name: l.name, Municipality: l.municipality,
				ShortStay: store.DefaultShortStay(l.kind)}
			for _, k := range l.catchment {
				loc.Catchment = append(loc.Catchment, locIDs[k])
			}
			if err := db.CreateLocation(ctx, store.System, loc); err != nil {
				return false, err
			}
			locIDs[l.key] = loc.ID
			all = append(all, weighted{loc.ID, l.key, l.weight})
			for i, r := range l.rooms {
				if err := db.CreateRoom(ctx, store.System, loc.ID, demoRoom(r, today, i)); err != nil {
					return false, err
				}
			}
		}
		if err := addFacilitators(ctx, db, org, o, rng); err != nil {
			return false, err
		}
	}
	totalWeight := 0
	for _, w := range all {
		totalWeight += w.weight
	}
	seq := map[string]int{}
	for i := 0; i < 320; i++ {
		pick := rng.IntN(totalWeight)
		var loc weighted
		for _, w := range all {
			if pick < w.weight {
				loc = w
				break
			}
			pick -= w.weight
		}
		seq[loc.key]++
		b := &store.Baby{LocationID: loc.id, Ref: fmt.Sprintf("%s-%04d", loc.key, seq[loc.key]), Language: pickLanguage(rng)}
		if rng.IntN(10) == 0 {
			d := today.AddDays(5 + rng.IntN(170)) // expected in the next six months
			b.ExpectedDate, b.Status = &d, store.StatusEligible
		} else {
			d := today.AddDays(-rng.IntN(430)) // born in the last 14 months
			b.BirthDate = &d
			b.Status = pickStatus(rng)
		}
		if err := db.CreateBaby(ctx, store.System, b); err != nil {
			return false, err
		}
	}
	return true, nil
}

// PlanAndPublish plans every organisation and publishes the sessions, so that
// the pages and calendar feeds of a fresh demo have something to show.
func PlanAndPublish(ctx context.Context, db *store.DB) error {
	_, skipped, err := coordination.New(db).RunPlans(ctx, store.System, "", true)
	if err == nil && len(skipped) > 0 {
		err = skipped[0].Err
	}
	return err
}

func demoRoom(r room, today civil.Date, i int) *store.Room {
	from, _ := civil.ParseClock(r.from)
	to, _ := civil.ParseClock(r.to)
	out := &store.Room{Name: r.name, Capacity: r.capacity, HasExamRoom: i == 0}
	for _, d := range r.days {
		out.OpeningHours = append(out.OpeningHours, civil.Weekly{Weekday: d, From: from, To: to})
	}
	// A summer closure, as COA locations often have for maintenance.
	y, _, _ := today.Parts()
	out.Closures = []civil.Range{{From: civil.New(y+1, 7, 19+i*7), To: civil.New(y+1, 8, 6+i*7)}}
	return out
}

var firstNames = []string{"Anouk", "Fatima", "Sanne", "Eline", "Noor", "Marieke", "Ayşe", "Joke", "Hanna", "Lotte", "Yara", "Ilse"}
var lastNames = []string{"de Vries", "Bakker", "Visser", "Smit", "Mulder", "de Boer", "Dijkstra", "Hoekstra", "El Amrani", "Postma", "Kramer", "Jansen"}

func addFacilitators(ctx context.Context, db *store.DB, org *store.Organisation, o organisation, rng *rand.Rand) error {
	roles := []struct {
		role    store.FacilitatorRole
		trained bool
	}{
		{store.RoleNurseFacilitator, true}, {store.RoleNurseFacilitator, true}, {store.RoleNurseFacilitator, true},
		{store.RoleNurseFacilitator, false}, {store.RoleDoctor, true}, {store.RoleAssistant, false},
	}
	for i, r := range roles {
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		f := &store.Facilitator{
			OrganisationID: org.ID, DisplayName: name, Role: r.role, COTrained: r.trained,
			Email:              fmt.Sprintf("%s.%d@%s", o.key, i+1, "jgz.example"),
			MaxSessionsPerWeek: 2 + rng.IntN(3),
			Languages:          []string{"nl", "en"},
		}
		if i < len(o.languages) {
			f.Languages = append(f.Languages, o.languages[i])
		}
		days := [][]int{{1, 2, 3, 4, 5}, {1, 3, 5}, {2, 3, 4}, {1, 2, 4, 5}, {3, 5}, {1, 2, 3}}[i]
		from, to := civil.Clock(8*60+30), civil.Clock(17*60)
		if i%3 == 1 {
			to = 13 * 60
		}
		for _, d := range days {
			f.Availability = append(f.Availability, civil.Weekly{Weekday: d, From: from, To: to})
		}
		if err := db.CreateFacilitator(ctx, store.System, f); err != nil {
			return err
		}
	}
	return nil
}

func pickLanguage(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, l := range familyLanguages {
		if n < l.weight {
			return l.code
		}
		n -= l.weight
	}
	return "ar"
}

func pickStatus(rng *rand.Rand) store.BabyStatus {
	switch n := rng.IntN(20); {
	case n < 12:
		return store.StatusEnrolled
	case n < 16:
		return store.StatusEligible
	case n < 19:
		return store.StatusDeclined
	default:
		return store.StatusWithdrawn
	}
}

// AdminEmail is the demo administrator's address.
const AdminEmail = "beheer@coplan.example"

// People are the demo's users, to be invited: a coordinator of the first
// organisation, a nurse of its (the first CO-trained facilitator, with her
// name and address) and the staff of its hub location. The admin comes first.
func People(ctx context.Context, db *store.DB) ([]store.User, error) {
	orgs, _, err := db.Organisations(ctx, store.System, store.Page{Limit: 100})
	if err != nil || len(orgs) == 0 {
		return nil, err
	}
	org := orgs[0]
	for _, o := range orgs {
		if o.Name == organisations[0].name {
			org = o
		}
	}
	people := []store.User{{Name: "Demo Beheerder", Email: AdminEmail, Role: store.RoleAdmin},
		{Name: "Demo Coördinator", Email: "coordinator@" + strings.TrimPrefix(org.ContactEmail, "centering@"), Role: store.RoleCoordinator, OrganisationID: org.ID}}
	facs, _, err := db.Facilitators(ctx, store.System, store.FacilitatorFilter{OrganisationID: org.ID, Page: store.Page{Limit: 50}})
	if err != nil {
		return nil, err
	}
	for _, f := range facs {
		if f.Role == store.RoleNurseFacilitator && f.COTrained && f.Email != "" {
			people = append(people, store.User{Name: f.DisplayName, Email: f.Email, Role: store.RoleNurse, FacilitatorID: f.ID})
			break
		}
	}
	locs, _, err := db.Locations(ctx, store.System, store.LocationFilter{OrganisationID: org.ID, Page: store.Page{Limit: 50}})
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		if len(l.Catchment) > 0 {
			people = append(people, store.User{Name: "Demo COA " + l.Name, Email: "coa." + strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(l.Name, "azc "), " ", "-")) + "@coa.example",
				Role: store.RoleLocation, LocationID: l.ID})
			break
		}
	}
	return people, nil
}
