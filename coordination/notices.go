package coordination

import (
	"context"
	"strings"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

// Notify stores a COA contact person's notice of a pregnancy or a birth at
// their location and mails the organisation's coordinators, without a name:
// the kind, the date, the language and the location.
func (s *Service) Notify(ctx context.Context, a store.Actor, n *store.BirthNotice) error {
	locName := ""
	if l, err := s.db.Location(ctx, a, n.LocationID); err == nil {
		locName = l.Name
	} else if a.Role == store.RoleLocation {
		if l, err := s.db.Location(ctx, a, a.LocationID); err == nil {
			locName = l.Name
		}
	}
	return s.db.CreateNotice(ctx, a, n, func(to, name string) *store.Mail {
		data := map[string]any{"Location": locName, "Kind": messages.Text(noticeLang, "notice.kind."+n.Kind), "Date": n.Date.Dutch(),
			"Language": messages.LanguageName(noticeLang, n.Language), "URL": s.baseURL + "/arrivals#notices-h"}
		text := messages.Letter(noticeLang, name, messages.Format(noticeLang, "mail.notice.body", data))
		return &store.Mail{ToAddress: to, Subject: messages.Format(noticeLang, "mail.notice.subject", data), TextBody: text,
			DedupeKey: "notice:" + n.ID + ":" + to}
	})
}

// BabyFromNotice makes the baby record a notice asks for, in one
// transaction with marking the notice done: a ref of its own (MELD- and
// the notice's last characters, for the coordinator to replace with the
// file's), the date as birth or due date, the location and the language. A
// second click is a conflict, never a second record.
func (s *Service) BabyFromNotice(ctx context.Context, a store.Actor, id string) (*store.Baby, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionCreate, ""); err != nil {
		return nil, err
	}
	n, err := s.db.Notice(ctx, a, id)
	if err != nil {
		return nil, err
	}
	b := &store.Baby{Ref: "MELD-" + strings.ToUpper(n.ID[len(n.ID)-6:]), LocationID: n.LocationID, Language: n.Language}
	d := n.Date
	if n.Kind == store.NoticeBirth {
		b.BirthDate, b.Status = &d, store.StatusEnrolled
	} else {
		b.ExpectedDate, b.Status = &d, store.StatusEligible
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateBaby(a, b); err != nil {
			return err
		}
		return tx.MarkNoticeDone(a, n.ID, b.ID)
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionCreate, "", err)
	}
	return b, nil
}
