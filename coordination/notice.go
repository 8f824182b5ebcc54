package coordination

import (
	"fmt"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

// NoticeDays is how close a session must be for a change to be mailed to its
// facilitators: calendar clients can take a day to refresh a feed.
const NoticeDays = 14

// noticeLang is the language of the mails to facilitators.
const noticeLang = "nl"

func noticeTime(t time.Time) string {
	a := t.In(civil.Amsterdam)
	return messages.LongDate(noticeLang, civil.Of(a)) + ", " + a.Format("15:04")
}

// noticeFacilitators queues, in tx, a mail to each facilitator of before and
// after when a session within NoticeDays moved or was cancelled. The mail
// names times and places, never a family.
func noticeFacilitators(tx *store.Tx, before, after *store.Session) error {
	now := tx.Now()
	horizon := now.AddDate(0, 0, NoticeDays)
	soon := func(s *store.Session) bool { return s.StartsAt.After(now) && s.StartsAt.Before(horizon) }
	if !soon(before) && !(after.Status != store.SessionCancelled && soon(after)) {
		return nil
	}
	cancelled := after.Status == store.SessionCancelled
	if !cancelled && before.StartsAt.Equal(after.StartsAt) && before.RoomID == after.RoomID &&
		before.LeadFacilitatorID == after.LeadFacilitatorID && before.SecondFacilitatorID == after.SecondFacilitatorID {
		return nil
	}
	ids := []string{before.LeadFacilitatorID, before.SecondFacilitatorID, after.LeadFacilitatorID, after.SecondFacilitatorID}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if err := noticeOne(tx, id, before, after, cancelled); err != nil {
			return err
		}
	}
	return nil
}

// noticeOne queues the notice to one facilitator, if they have an address.
func noticeOne(tx *store.Tx, id string, before, after *store.Session, cancelled bool) error {
	f, err := tx.Facilitator(id)
	if store.ErrorCode(err) == store.ENotFound || (err == nil && (f.Email == "" || f.OrganisationID != after.OrganisationID)) {
		return nil // nobody to tell: notices stay within the session's organisation
	}
	if err != nil {
		return err
	}
	was, err := place(tx, before)
	if err != nil {
		return err
	}
	stillIn := id == after.LeadFacilitatorID || id == after.SecondFacilitatorID
	var subject, body string
	switch {
	case cancelled:
		subject = "Geannuleerd: Centering Ouderschap op " + noticeTime(before.StartsAt)
		body = fmt.Sprintf("De CO-bijeenkomst %d/8 op %s in %s gaat niet door.", before.Number, noticeTime(before.StartsAt), was)
	case !stillIn:
		subject = "Niet meer ingepland: Centering Ouderschap op " + noticeTime(before.StartsAt)
		body = fmt.Sprintf("U begeleidt de CO-bijeenkomst %d/8 op %s in %s niet meer; een collega neemt het over.", before.Number, noticeTime(before.StartsAt), was)
	default:
		becomes, err := place(tx, after)
		if err != nil {
			return err
		}
		subject = "Gewijzigd: Centering Ouderschap op " + noticeTime(after.StartsAt)
		body = fmt.Sprintf("De CO-bijeenkomst %d/8 is gewijzigd.\n\nWas: %s in %s\nWordt: %s in %s", before.Number,
			noticeTime(before.StartsAt), was, noticeTime(after.StartsAt), becomes)
	}
	text := fmt.Sprintf("Beste %s,\n\n%s\n\nUw agenda in coplan is al bijgewerkt; een geabonneerde agenda volgt bij de volgende verversing.\n\nMet vriendelijke groet,\ncoplan – planning van Centering Ouderschap\n", f.DisplayName, body)
	_, err = tx.Enqueue(&store.Mail{ToAddress: f.Email, Subject: subject, TextBody: text,
		DedupeKey: fmt.Sprintf("session:%s:%d:%s", after.ID, after.Sequence, f.ID)})
	return err
}

// place names where a session meets: "azc Musselkanaal, Groepsruimte 1".
func place(tx *store.Tx, s *store.Session) (string, error) {
	var parts []string
	l, err := tx.Location(s.LocationID)
	if err != nil && store.ErrorCode(err) != store.ENotFound {
		return "", err
	}
	if l != nil {
		parts = append(parts, l.Name)
	}
	r, err := tx.Room(s.RoomID)
	if err != nil && store.ErrorCode(err) != store.ENotFound {
		return "", err
	}
	if r != nil {
		parts = append(parts, r.Name)
	}
	return strings.Join(parts, ", "), nil
}
