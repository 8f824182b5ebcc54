package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// NoticeDays is how close a session must be for a change to be mailed to its
// facilitators: calendar clients can take a day to refresh a feed.
const NoticeDays = 14

var noticeWeekdays = []string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
var noticeMonths = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

func noticeTime(t time.Time) string {
	a := t.In(civil.Amsterdam)
	return fmt.Sprintf("%s %d %s %d, %s", noticeWeekdays[a.Weekday()], a.Day(), noticeMonths[a.Month()-1], a.Year(), a.Format("15:04"))
}

// noticeFacilitators queues, in tx, a mail to each facilitator of before and
// after when a session within NoticeDays moved or was cancelled. The mail names
// times and places, never a family.
func (db *DB) noticeFacilitators(tx *gorm.DB, before, after *Session) error {
	now := db.Now()
	horizon := now.AddDate(0, 0, NoticeDays)
	soon := func(s *Session) bool { return s.StartsAt.After(now) && s.StartsAt.Before(horizon) }
	if !soon(before) && !(after.Status != SessionCancelled && soon(after)) {
		return nil
	}
	cancelled := after.Status == SessionCancelled
	if !cancelled && before.StartsAt.Equal(after.StartsAt) && before.RoomID == after.RoomID &&
		before.LeadFacilitatorID == after.LeadFacilitatorID && before.SecondFacilitatorID == after.SecondFacilitatorID {
		return nil
	}
	place := func(s *Session) string {
		var l Location
		var r Room
		tx.Where("id = ?", s.LocationID).Take(&l)
		tx.Where("id = ?", s.RoomID).Take(&r)
		return strings.TrimSuffix(l.Name+", "+r.Name, ", ")
	}
	ids := []string{before.LeadFacilitatorID, before.SecondFacilitatorID, after.LeadFacilitatorID, after.SecondFacilitatorID}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		var f Facilitator
		if err := tx.Where("id = ?", id).Take(&f).Error; err != nil || f.Email == "" {
			continue
		}
		stillIn := id == after.LeadFacilitatorID || id == after.SecondFacilitatorID
		var subject, body string
		switch {
		case cancelled:
			subject = "Geannuleerd: Centering Ouderschap op " + noticeTime(before.StartsAt)
			body = fmt.Sprintf("De CO-bijeenkomst %d/8 op %s in %s gaat niet door.", before.Number, noticeTime(before.StartsAt), place(before))
		case !stillIn:
			subject = "Niet meer ingepland: Centering Ouderschap op " + noticeTime(before.StartsAt)
			body = fmt.Sprintf("U begeleidt de CO-bijeenkomst %d/8 op %s in %s niet meer; een collega neemt het over.", before.Number, noticeTime(before.StartsAt), place(before))
		default:
			subject = "Gewijzigd: Centering Ouderschap op " + noticeTime(after.StartsAt)
			body = fmt.Sprintf("De CO-bijeenkomst %d/8 is gewijzigd.\n\nWas: %s in %s\nWordt: %s in %s", before.Number,
				noticeTime(before.StartsAt), place(before), noticeTime(after.StartsAt), place(after))
		}
		text := fmt.Sprintf("Beste %s,\n\n%s\n\nUw agenda in coplan is al bijgewerkt; een geabonneerde agenda volgt bij de volgende verversing.\n\nMet vriendelijke groet,\ncoplan – planning van Centering Ouderschap\n", f.DisplayName, body)
		m := &Mail{ToAddress: f.Email, Subject: subject, TextBody: text,
			DedupeKey: fmt.Sprintf("session:%s:%d:%s", after.ID, after.Sequence, f.ID)}
		if _, err := db.Enqueue(tx, m); err != nil {
			return err
		}
	}
	return nil
}
