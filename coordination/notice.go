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
	g, err := tx.Group(after.GroupID)
	if err != nil {
		return err
	}
	name, err := groupName(tx, g)
	if err != nil {
		return err
	}
	data := map[string]any{"Number": before.Number, "Group": name, "When": noticeTime(before.StartsAt), "Place": was}
	kind := "changed"
	switch {
	case cancelled:
		kind = "cancelled"
	case !stillIn:
		kind = "removed"
	default:
		becomes, err := place(tx, after)
		if err != nil {
			return err
		}
		data["NewWhen"], data["NewPlace"] = noticeTime(after.StartsAt), becomes
	}
	subject := messages.Format(noticeLang, "mail.session."+kind+".subject", data)
	body := messages.Format(noticeLang, "mail.session."+kind+".body", data) + "\n\n" + messages.Text(noticeLang, "mail.calendar_follows")
	return mail(tx, f.Email, f.DisplayName, subject, body, fmt.Sprintf("session:%s:%d:%s", after.ID, after.Sequence, f.ID))
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

// mail queues one message to address from the catalogue: greeting, body and
// signature in the notices' language.
func mail(tx *store.Tx, to, name, subject, body, dedupe string) error {
	if to == "" {
		return nil
	}
	text := messages.Letter(noticeLang, name, body)
	_, err := tx.Enqueue(&store.Mail{ToAddress: to, Subject: subject, TextBody: text, DedupeKey: dedupe})
	return err
}

// groupName is what people call a group; a group from before names were
// given is called after its location.
func groupName(tx *store.Tx, g *store.Group) (string, error) {
	if g.Name != "" {
		return g.Name, nil
	}
	l, err := tx.Location(g.LocationID)
	if err != nil {
		return "", err
	}
	return l.Name, nil
}

// noticeInterpreters tells the facilitators of a published session within
// NoticeDays that the interpreter languages it needs changed (a family
// joined or left): they book the interpreters.
func noticeInterpreters(tx *store.Tx, g *store.Group, s *store.Session) error {
	now := tx.Now()
	if !s.StartsAt.Before(now.AddDate(0, 0, NoticeDays)) {
		return nil
	}
	where, err := place(tx, s)
	if err != nil {
		return err
	}
	name, err := groupName(tx, g)
	if err != nil {
		return err
	}
	data := map[string]any{"Number": s.Number, "Group": name, "When": noticeTime(s.StartsAt), "Place": where,
		"Families": s.Families, "Languages": messages.LanguageNames(noticeLang, s.InterpreterLanguages)}
	subject := messages.Format(noticeLang, "mail.interpreters.subject", data)
	body := messages.Format(noticeLang, "mail.interpreters.body", data) + "\n\n" + messages.Text(noticeLang, "mail.calendar_follows")
	for _, id := range []string{s.LeadFacilitatorID, s.SecondFacilitatorID} {
		f, err := tx.Facilitator(id)
		if store.ErrorCode(err) == store.ENotFound || (err == nil && f.OrganisationID != s.OrganisationID) {
			continue // notices stay within the session's organisation
		}
		if err != nil {
			return err
		}
		key := fmt.Sprintf("interpreters:%s:%d:%s", s.ID, s.ChangedAt.UnixNano(), f.ID)
		if err := mail(tx, f.Email, f.DisplayName, subject, body, key); err != nil {
			return err
		}
	}
	return nil
}

// noticeBelowMinimum tells a group's facilitators and its organisation that
// it fell below group_min: it keeps running until the coordinator merges or
// dissolves it.
func noticeBelowMinimum(tx *store.Tx, st *stored, g *store.Group, families, min int) error {
	name, err := groupName(tx, g)
	if err != nil {
		return err
	}
	data := map[string]any{"Group": name, "Families": families, "Min": min}
	subject := messages.Format(noticeLang, "mail.below_minimum.subject", data)
	body := messages.Format(noticeLang, "mail.below_minimum.body", data)
	today := civil.Today(st.now)
	seen := map[string]bool{}
	for _, s := range st.sortedSessions(g.ID) {
		if s.Status == store.SessionCancelled || !s.StartsAt.After(st.now) {
			continue
		}
		for _, id := range []string{s.LeadFacilitatorID, s.SecondFacilitatorID} {
			if seen[id] {
				continue
			}
			seen[id] = true
			f, err := tx.Facilitator(id)
			if store.ErrorCode(err) == store.ENotFound || (err == nil && f.OrganisationID != g.OrganisationID) {
				continue
			}
			if err != nil {
				return err
			}
			if err := mail(tx, f.Email, f.DisplayName, subject, body, fmt.Sprintf("below-minimum:%s:%s:%s", g.ID, today, f.ID)); err != nil {
				return err
			}
		}
	}
	o := st.data.Organisation
	return mail(tx, o.ContactEmail, o.Name, subject, body, fmt.Sprintf("below-minimum:%s:%s:organisation", g.ID, today))
}
