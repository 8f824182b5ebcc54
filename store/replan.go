package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
)

// Rearrangement is what a block or an absence did to the sessions it hit.
type Rearrangement struct {
	Affected  []Session `json:"affected_sessions"`
	Moved     []Session `json:"moved_sessions"`
	Unplanned []Session `json:"unplanned_sessions"`
}

func (db *DB) lockOrganisation(tx *gorm.DB, organisationID string) error {
	if db.dialect != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(7261002, hashtext(?))", organisationID).Error
}

// conflictError refuses a change that would hit sessions, naming each.
func conflictError(what string, affected []Session) error {
	e := &Error{Code: EConflict, Message: fmt.Sprintf("%s overlaps %d planned sessions; repeat with ?replan=true to move them", what, len(affected)), Affected: affected}
	for _, s := range affected {
		e.Fields = append(e.Fields, FieldError{Field: "start", Detail: fmt.Sprintf("overlaps session %s (group %s, session %d) at %s",
			s.ID, s.GroupID, s.Number, s.StartsAt.In(civil.Amsterdam).Format(time.RFC3339))})
	}
	return e
}

// CreateBlock books a room for something that is not CO. A block over planned
// or published sessions is refused with those sessions, unless replan is set:
// then each is re-planned (same group, the planner's nearest valid slot, the
// same facilitators where possible) or, when no slot exists, cancelled and
// listed as unplanned; the block and every move commit together or not at all.
func (db *DB) CreateBlock(ctx context.Context, a Actor, locationID, roomID string, b *Block, replan bool) (*Rearrangement, error) {
	if err := a.require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	var out *Rearrangement
	err := db.tx(ctx, func(tx *gorm.DB) error {
		l, _, err := db.roomAt(tx, a, locationID, roomID)
		if err != nil {
			return err
		}
		if err := db.lockOrganisation(tx, l.OrganisationID); err != nil {
			return err
		}
		if err := b.Validate(db.Now()); err != nil {
			return err
		}
		b.ID, b.RoomID, b.LocationID, b.CreatedBy, b.CreatedAt = NewID("blk"), roomID, locationID, a.TokenID, db.Now()
		b.StartsAt, b.EndsAt = b.StartsAt.UTC(), b.EndsAt.UTC()
		var sessions []Session
		if err := tx.Where("room_id = ? AND status <> ? AND ends_at > ?", roomID, SessionCancelled, db.Now()).Order("starts_at, id").Find(&sessions).Error; err != nil {
			return err
		}
		var affected []Session
		for _, s := range sessions {
			for _, o := range b.Occurrences(s.StartsAt, s.EndsAt) {
				if o.Start.Before(s.EndsAt) && s.StartsAt.Before(o.End) {
					affected = append(affected, s)
					break
				}
			}
		}
		if len(affected) > 0 && !replan {
			return conflictError("the block", affected)
		}
		if err := tx.Create(b).Error; err != nil {
			return wrapWrite(err, "block", "id")
		}
		out, err = db.rearrange(tx, a, l.OrganisationID, affected, nil, "room blocked by "+b.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddAbsence records that a facilitator is absent from..to. Sessions of theirs
// in that time are refused with 409 unless replan is set: then another
// facilitator of the organisation takes each where possible, otherwise the
// session moves to another date, all in one transaction.
func (db *DB) AddAbsence(ctx context.Context, a Actor, facilitatorID string, r civil.Range, replan bool) (*Facilitator, *Rearrangement, error) {
	if err := a.require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, nil, err
	}
	var (
		fac *Facilitator
		out *Rearrangement
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		f, err := first[Facilitator](db.forUpdate(a.scopeFacilitators(tx.Where("id = ?", facilitatorID))), "facilitator", facilitatorID)
		if err != nil {
			return err
		}
		if err := db.lockOrganisation(tx, f.OrganisationID); err != nil {
			return err
		}
		if r.From > r.To {
			return &Error{Code: EInvalid, Message: "the request has invalid fields", Fields: []FieldError{{Field: "to", Detail: "is before from"}}}
		}
		f.Absences = append(f.Absences, r)
		if err := f.Validate(); err != nil {
			return err
		}
		var sessions []Session
		if err := tx.Where("(lead_facilitator_id = ? OR second_facilitator_id = ?) AND status <> ? AND ends_at > ?",
			facilitatorID, facilitatorID, SessionCancelled, db.Now()).Order("starts_at, id").Find(&sessions).Error; err != nil {
			return err
		}
		var affected []Session
		for _, s := range sessions {
			if r.Contains(civil.Today(s.StartsAt)) {
				affected = append(affected, s)
			}
		}
		if len(affected) > 0 && !replan {
			return conflictError("the absence", affected)
		}
		if err := tx.Save(f).Error; err != nil {
			return wrapWrite(err, "facilitator", "id")
		}
		fac = f
		out, err = db.rearrange(tx, a, f.OrganisationID, affected, f, "facilitator absent")
		return err
	})
	return fac, out, err
}

// rearrange re-plans the affected sessions inside tx. For an absence it first
// tries the same slot with another facilitator of the organisation.
func (db *DB) rearrange(tx *gorm.DB, a Actor, organisationID string, affected []Session, absent *Facilitator, why string) (*Rearrangement, error) {
	out := &Rearrangement{Affected: affected, Moved: []Session{}, Unplanned: []Session{}}
	if out.Affected == nil {
		out.Affected = []Session{}
	}
	var rest []Session
	for i := range affected {
		s := affected[i]
		if absent != nil {
			if moved, err := db.substitute(tx, a, &s, absent, why); err != nil {
				return nil, err
			} else if moved != nil {
				out.Moved = append(out.Moved, *moved)
				continue
			}
		}
		rest = append(rest, s)
	}
	if len(rest) == 0 {
		return out, nil
	}
	pi, err := db.planInput(tx, organisationID)
	if err != nil {
		return nil, err
	}
	in := pi.input
	target := map[string]bool{}
	for _, s := range rest {
		target[s.ID] = true
	}
	// Only the affected sessions are open: every other stored session is fixed,
	// and babies outside groups wait, so that nothing else moves.
	members := map[string]bool{}
	for _, ms := range pi.members {
		for _, m := range ms {
			members[m.BabyID] = true
		}
	}
	var babies []planner.Baby
	for _, b := range in.Babies {
		if members[b.ID] {
			babies = append(babies, b)
		}
	}
	in.Babies = babies
	in.FixedSessions = nil
	for gid, byNumber := range pi.sessions {
		for _, s := range byNumber {
			if s.Status != SessionCancelled && !target[s.ID] {
				in.FixedSessions = append(in.FixedSessions, planner.FixedSession{GroupID: gid, Session: s.plannerSession()})
			}
		}
	}
	sort.Slice(in.FixedSessions, func(i, j int) bool {
		a, b := in.FixedSessions[i], in.FixedSessions[j]
		return a.GroupID < b.GroupID || (a.GroupID == b.GroupID && a.Number < b.Number)
	})
	plan, err := planner.Run(in)
	if err != nil {
		return nil, fmt.Errorf("store: re-plan: %w", err)
	}
	planned := map[string]planner.Session{}
	for _, g := range plan.Groups {
		for _, ps := range g.Sessions {
			planned[fmt.Sprintf("%s#%d", g.ID, ps.Number)] = ps
		}
	}
	now := db.Now()
	for _, s := range rest {
		s := s
		before := s
		ps, ok := planned[fmt.Sprintf("%s#%d", s.GroupID, s.Number)]
		var detail string
		if ok {
			start, _ := time.Parse(time.RFC3339, ps.Start)
			end, _ := time.Parse(time.RFC3339, ps.End)
			s.StartsAt, s.EndsAt, s.RoomID = start.UTC(), end.UTC(), ps.RoomID
			s.LeadFacilitatorID, s.SecondFacilitatorID = ps.FacilitatorIDs[0], ps.FacilitatorIDs[1]
			s.InterpreterLanguages = ps.InterpreterLanguages
			detail = "moved: " + why
		} else {
			s.Status = SessionCancelled
			detail = "cancelled, no other slot: " + why
		}
		s.Sequence++
		s.ChangedAt = now
		if err := tx.Select("*").Omit("created_at").Save(&s).Error; err != nil {
			return nil, fmt.Errorf("store: save re-planned session: %w", err)
		}
		if err := db.audit(tx, a, organisationID, ActionUpdate, "session", OutcomeSuccess, detail, s.ID); err != nil {
			return nil, err
		}
		if err := db.noticeFacilitators(tx, &before, &s); err != nil {
			return nil, err
		}
		s.AfterFind(tx)
		if ok {
			out.Moved = append(out.Moved, s)
		} else {
			out.Unplanned = append(out.Unplanned, s)
		}
	}
	return out, nil
}

// substitute tries the same slot with another facilitator in place of the
// absent one, the least booked first; it returns the changed session or nil.
func (db *DB) substitute(tx *gorm.DB, a Actor, s *Session, absent *Facilitator, why string) (*Session, error) {
	var facs []Facilitator
	if err := tx.Where("organisation_id = ? AND id <> ? AND id <> ?", s.OrganisationID, s.LeadFacilitatorID, s.SecondFacilitatorID).
		Order("id").Find(&facs).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		ID string
		N  int
	}
	tx.Raw(`SELECT f AS id, COUNT(*) AS n FROM (SELECT lead_facilitator_id AS f FROM sessions WHERE organisation_id = ? AND status <> ?
		UNION ALL SELECT second_facilitator_id FROM sessions WHERE organisation_id = ? AND status <> ?) x GROUP BY f`,
		s.OrganisationID, SessionCancelled, s.OrganisationID, SessionCancelled).Scan(&counts)
	load := map[string]int{}
	for _, c := range counts {
		load[c.ID] = c.N
	}
	sort.SliceStable(facs, func(i, j int) bool { return load[facs[i].ID] < load[facs[j].ID] })
	before := *s
	for _, f := range facs {
		after := before
		if after.LeadFacilitatorID == absent.ID {
			after.LeadFacilitatorID = f.ID
		} else {
			after.SecondFacilitatorID = f.ID
		}
		if err := db.checkSessionChange(tx, &before, &after); err != nil {
			if code := ErrorCode(err); code == EConflict || code == EUnprocessable {
				continue
			}
			return nil, err
		}
		after.Sequence++
		after.ChangedAt = db.Now()
		if err := tx.Select("*").Omit("created_at").Save(&after).Error; err != nil {
			return nil, err
		}
		if err := db.audit(tx, a, s.OrganisationID, ActionUpdate, "session", OutcomeSuccess, "facilitator replaced: "+why, s.ID); err != nil {
			return nil, err
		}
		if err := db.noticeFacilitators(tx, &before, &after); err != nil {
			return nil, err
		}
		after.AfterFind(tx)
		return &after, nil
	}
	return nil, nil
}
