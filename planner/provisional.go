package planner

import (
	"sort"

	"github.com/coplan/coplan/civil"
)

// Provisional groups: expected babies form groups by due date, so that
// recruitment can start in the pregnancy group (the Dutch Centering guidance
// advises a JGZ nurse at the pregnancy group's 8th or 9th session, or letting
// it continue as the CO group). A provisional group has no sessions; it
// becomes a regular group once enough members are born within the birth
// window, and its sessions are then planned from the real birth dates.

// Due is an expected baby: its id, location and due date.
type Due struct {
	ID         string
	LocationID string
	Date       civil.Date
}

// ProvisionalCohorts cuts the expected babies of each location, in due date
// order, into groups of min to max members whose due dates lie within
// window days; babies that make no such group are left out. Deterministic:
// ties in due date go by id.
func ProvisionalCohorts(due []Due, min, max, window int) [][]string {
	byLoc := map[string][]Due{}
	var locs []string
	for _, d := range due {
		if byLoc[d.LocationID] == nil {
			locs = append(locs, d.LocationID)
		}
		byLoc[d.LocationID] = append(byLoc[d.LocationID], d)
	}
	sort.Strings(locs)
	var out [][]string
	for _, l := range locs {
		ds := byLoc[l]
		sort.Slice(ds, func(i, j int) bool {
			if ds[i].Date != ds[j].Date {
				return ds[i].Date < ds[j].Date
			}
			return ds[i].ID < ds[j].ID
		})
		for i := 0; i < len(ds); {
			j := i
			for j < len(ds) && j-i < max && ds[j].Date.Sub(ds[i].Date) <= window {
				j++
			}
			if j-i >= min {
				var ids []string
				for _, d := range ds[i:j] {
					ids = append(ids, d.ID)
				}
				out = append(out, ids)
				i = j
				continue
			}
			i++
		}
	}
	return out
}

// ReadyToStart decides whether a provisional group becomes a regular one:
// its born members (births by id; an unborn member has none) number at
// least min and lie within window days. It returns the members who go on
// with the group: the born ones of the longest run within the window.
func ReadyToStart(births map[string]*civil.Date, min, window int) ([]string, bool) {
	type born struct {
		id string
		d  civil.Date
	}
	var bs []born
	for id, d := range births {
		if d != nil {
			bs = append(bs, born{id, *d})
		}
	}
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].d != bs[j].d {
			return bs[i].d < bs[j].d
		}
		return bs[i].id < bs[j].id
	})
	best, bestFrom := 0, 0
	for i := range bs {
		j := i
		for j < len(bs) && bs[j].d.Sub(bs[i].d) <= window {
			j++
		}
		if j-i > best {
			best, bestFrom = j-i, i
		}
	}
	if best < min {
		return nil, false
	}
	var ids []string
	for _, b := range bs[bestFrom : bestFrom+best] {
		ids = append(ids, b.id)
	}
	sort.Strings(ids)
	return ids, true
}
