package coordination

import (
	"context"
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

// AttendanceJob is the daily reminder of attendance not yet recorded.
const AttendanceJob = "attendance-reminders"

// RemindAttendance queues, once per slot across replicas, a mail to each
// facilitator of a session whose attendance was not recorded two days after
// it ended: once a day per session (the dedupe key holds the day), until it
// is recorded or the nurse's 14 days have passed. The mail names the session, the group
// and the page, never a family.
func (s *Service) RemindAttendance(ctx context.Context, slot time.Time, replica string) (int, bool, error) {
	queued := 0
	ran, err := s.db.RunJob(ctx, AttendanceJob, slot, replica, func(tx *store.Tx) (string, error) {
		sessions, err := tx.OverdueAttendance()
		if err != nil {
			return "", err
		}
		today := civil.Today(tx.Now())
		for i := range sessions {
			n, err := s.remindOne(tx, &sessions[i], today)
			if err != nil {
				return "", err
			}
			queued += n
		}
		return fmt.Sprintf("%d reminders", queued), nil
	})
	return queued, ran, err
}

func (s *Service) remindOne(tx *store.Tx, sess *store.Session, today civil.Date) (int, error) {
	g, err := tx.Group(sess.GroupID)
	if err != nil {
		return 0, err
	}
	name, err := groupName(tx, g)
	if err != nil {
		return 0, err
	}
	when := messages.When(noticeLang, sess.StartsAt, sess.EndsAt)
	queued := 0
	for _, id := range []string{sess.LeadFacilitatorID, sess.SecondFacilitatorID} {
		if id == "" {
			continue
		}
		f, err := tx.Facilitator(id)
		if err != nil && store.ErrorCode(err) != store.ENotFound {
			return queued, err
		}
		if f == nil || f.Email == "" {
			continue
		}
		data := map[string]any{"Number": sess.Number, "Group": name, "When": when, "URL": s.baseURL + "/sessions/" + sess.ID + "/attendance"}
		subject := messages.Format(noticeLang, "mail.attendance.subject", data)
		body := messages.Format(noticeLang, "mail.attendance.body", data)
		if err := mail(tx, f.Email, f.DisplayName, subject, body, fmt.Sprintf("attendance:%s:%s:%s", sess.ID, f.ID, today)); err != nil {
			return queued, err
		}
		queued++
	}
	return queued, nil
}
