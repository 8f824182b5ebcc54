package store

import (
	"context"
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Kinds of birth notice.
const (
	NoticePregnancy = "pregnancy"
	NoticeBirth     = "birth"
)

// BirthNotice is what COA staff tell JGZ about a pregnancy or a birth at
// their location: no name, only the kind, the due or birth date and the
// language. BabyID is set once a coordinator made the record.
type BirthNotice struct {
	ID             string     `gorm:"primaryKey" json:"id"`
	OrganisationID string     `json:"organisation_id"`
	LocationID     string     `json:"location_id"`
	Kind           string     `json:"kind"`
	Date           civil.Date `json:"date"`
	Language       string     `json:"language"`
	CreatedBy      string     `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	BabyID         string     `json:"baby_id,omitempty"`
}

// Validate checks a notice as of today: a due date from today to 10 months
// ahead, a birth date in the last 14 months.
func (n *BirthNotice) Validate(today civil.Date) error {
	var f Fields
	switch n.Kind {
	case NoticePregnancy:
		if n.Date < today || n.Date > today.AddMonths(10) {
			f.Add("date", "due_date", "a due date lies between today and ten months ahead")
		}
	case NoticeBirth:
		if n.Date > today || n.Date < today.AddMonths(-14) {
			f.Add("date", "birth_date", "a birth date lies in the last fourteen months")
		}
	default:
		f.Add("kind", "choice", "must be pregnancy or birth")
	}
	if n.Date == 0 && n.Kind != "" {
		f.Add("date", "required", "is required")
	}
	if n.Language != "" && !ValidLanguage(n.Language) {
		f.Add("language", "language", "is not a language code")
	}
	return f.Err()
}

// CreateNotice stores a notice of location staff for their own location
// and, in the same transaction, the mails to the organisation's coordinators
// built by mail (no name in it: kind, date, language, location).
func (db *DB) CreateNotice(ctx context.Context, a Actor, n *BirthNotice, mail func(to, name string) *Mail) error {
	if err := a.Require(RoleLocation, RoleCoordinator, RoleAdmin); err != nil {
		return err
	}
	if a.Role == RoleLocation {
		n.LocationID = a.LocationID
	}
	if err := n.Validate(db.Today()); err != nil {
		return err
	}
	return db.InTx(ctx, func(t *Tx) error {
		l, err := first[Location](a.scopeOrganisation(t.g.Where("id = ?", n.LocationID), "organisation_id"), "location", n.LocationID)
		if err != nil {
			return fieldErr("location_id", "the notice needs a location", err)
		}
		n.ID, n.OrganisationID, n.CreatedBy, n.CreatedAt, n.BabyID = NewID("ntc"), l.OrganisationID, a.Who(), db.Now(), ""
		if err := t.g.Create(n).Error; err != nil {
			return fmt.Errorf("store: create notice: %w", err)
		}
		var coords []User
		if err := t.g.Where("organisation_id = ? AND role = ? AND active = ?", l.OrganisationID, RoleCoordinator, true).Find(&coords).Error; err != nil {
			return wrapRead(err, "coordinators")
		}
		for _, u := range coords {
			if _, err := t.Enqueue(mail(u.Email, u.Name)); err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenNotices lists the notices of a's organisation no baby record was made
// from yet, the oldest first.
func (db *DB) OpenNotices(ctx context.Context, a Actor) ([]BirthNotice, error) {
	if err := a.Require(RoleCoordinator, RoleAdmin); err != nil {
		return nil, err
	}
	var out []BirthNotice
	err := a.scopeOrganisation(db.gorm.WithContext(ctx).Where("baby_id = ''"), "organisation_id").Order("created_at, id").Find(&out).Error
	return out, wrapRead(err, "notices")
}

// Notice reads one notice of a's organisation.
func (db *DB) Notice(ctx context.Context, a Actor, id string) (*BirthNotice, error) {
	return first[BirthNotice](a.scopeOrganisation(db.gorm.WithContext(ctx).Where("id = ?", id), "organisation_id"), "notice", id)
}

// MarkNoticeDone records, in tx, the baby record made from notice id; a
// notice already turned into a record is a conflict (a second click).
func (t *Tx) MarkNoticeDone(a Actor, id, babyID string) error {
	res := a.scopeOrganisation(t.g.Model(&BirthNotice{}).Where("id = ? AND baby_id = ''", id), "organisation_id").Update("baby_id", babyID)
	if res.Error != nil {
		return fmt.Errorf("store: notice: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return Errorf(EConflict, "the notice %s was handled already", id)
	}
	return nil
}

// LocationCounts is what COA staff see of their location: counts only.
type LocationCounts struct {
	ExpectedByMonth []MonthCount // the next ten months
	Arrived, Left   int          // families in the last 30 days
	Groups          []RunningGroup
}

// MonthCount is a count in one calendar month (its first day).
type MonthCount struct {
	Month civil.Date
	Count int
}

// RunningGroup is a group meeting at the location, by name, with its
// number of families and its next session.
type RunningGroup struct {
	Name     string
	Families int
	Next     *time.Time
}

// LocationCounts counts, for location staff of locationID (or a
// coordinator of its organisation), expected births per month, arrivals and
// leavings, and the groups that meet there. No record is read one by one.
func (db *DB) LocationCounts(ctx context.Context, a Actor, locationID string) (*LocationCounts, error) {
	if a.Role == RoleLocation && a.LocationID != locationID {
		return nil, notFound("location", locationID)
	}
	if err := a.Require(RoleLocation, RoleCoordinator, RoleAdmin); err != nil {
		return nil, err
	}
	out := &LocationCounts{}
	err := db.Reading(ctx, func(t *Tx) error {
		g := t.g
		if _, err := first[Location](a.scopeOrganisation(g.Where("id = ?", locationID), "organisation_id"), "location", locationID); err != nil {
			return err
		}
		today := db.Today()
		y, m, _ := today.Parts()
		first := civil.Of(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
		for i := 0; i < 10; i++ {
			from, to := first.AddMonths(i), first.AddMonths(i+1)
			var n int64
			err := g.Model(&Baby{}).Where("location_id = ? AND expected_date >= ? AND expected_date < ? AND birth_date IS NULL AND status IN ?",
				locationID, from, to, []BabyStatus{StatusEligible, StatusEnrolled}).Count(&n).Error
			if err != nil {
				return wrapRead(err, "expected births")
			}
			out.ExpectedByMonth = append(out.ExpectedByMonth, MonthCount{Month: from, Count: int(n)})
		}
		since := today.AddDays(-30)
		var arrived, left int64
		if err := g.Model(&Move{}).Where("to_location_id = ? AND date >= ?", locationID, since).Count(&arrived).Error; err != nil {
			return wrapRead(err, "arrivals")
		}
		if err := g.Model(&Move{}).Where("from_location_id = ? AND date >= ?", locationID, since).Count(&left).Error; err != nil {
			return wrapRead(err, "leavings")
		}
		out.Arrived, out.Left = int(arrived), int(left)
		return runningGroupsAt(g, locationID, db.Now(), out)
	})
	return out, err
}

func runningGroupsAt(g *gorm.DB, locationID string, now time.Time, out *LocationCounts) error {
	var groups []Group
	if err := g.Where("location_id = ? AND ended_on IS NULL", locationID).Order("name").Find(&groups).Error; err != nil {
		return wrapRead(err, "groups")
	}
	for _, gr := range groups {
		var next []Session
		if err := g.Where("group_id = ? AND status <> ? AND starts_at > ?", gr.ID, SessionCancelled, now).Order("starts_at").Limit(1).Find(&next).Error; err != nil {
			return wrapRead(err, "sessions")
		}
		if len(next) == 0 {
			continue
		}
		var n int64
		if err := g.Model(&GroupMember{}).Where("group_id = ? AND left_on IS NULL", gr.ID).Count(&n).Error; err != nil {
			return wrapRead(err, "members")
		}
		at := next[0].StartsAt.In(civil.Amsterdam)
		out.Groups = append(out.Groups, RunningGroup{Name: gr.Name, Families: int(n), Next: &at})
	}
	return nil
}

// ProvisionalCandidates are the organisation's expected babies (a due
// date, not born, eligible or enrolled, with a ref) in no group.
func (t *Tx) ProvisionalCandidates(organisationID string) ([]Baby, error) {
	var out []Baby
	err := t.g.Where("organisation_id = ? AND expected_date IS NOT NULL AND birth_date IS NULL AND status IN ? AND ref <> ''",
		organisationID, []BabyStatus{StatusEligible, StatusEnrolled}).
		Where("NOT EXISTS (SELECT 1 FROM group_members m WHERE m.baby_id = babies.id AND m.left_on IS NULL)").Order("id").Find(&out).Error
	return out, wrapRead(err, "expected babies")
}

// CreateProvisionalGroup stores a provisional group with its members.
func (t *Tx) CreateProvisionalGroup(g *Group, babyIDs []string) error {
	g.ID, g.Provisional = NewID("grp"), true
	if err := wrapWrite(t.g.Create(g).Error, "group", "name"); err != nil {
		return err
	}
	today := civil.Today(t.Now())
	for _, id := range babyIDs {
		if err := t.g.Create(&GroupMember{GroupID: g.ID, BabyID: id, JoinedOn: today, FromSession: 1}).Error; err != nil {
			return fmt.Errorf("store: provisional member: %w", err)
		}
	}
	return nil
}

// ProvisionalGroup is a provisional group with, per current member, the
// birth date of an enrolled member who is born (nil otherwise).
type ProvisionalGroup struct {
	Group
	Births map[string]*civil.Date
}

// ProvisionalGroups lists the organisation's provisional groups.
func (t *Tx) ProvisionalGroups(organisationID string) ([]ProvisionalGroup, error) {
	var groups []Group
	if err := t.g.Where("organisation_id = ? AND provisional = ? AND ended_on IS NULL", organisationID, true).Order("id").Find(&groups).Error; err != nil {
		return nil, wrapRead(err, "provisional groups")
	}
	out := make([]ProvisionalGroup, len(groups))
	for i, g := range groups {
		var rows []struct {
			BabyID    string
			BirthDate *civil.Date
			Status    BabyStatus
		}
		err := t.g.Table("group_members m").Joins("JOIN babies b ON b.id = m.baby_id").Where("m.group_id = ? AND m.left_on IS NULL", g.ID).
			Select("m.baby_id, b.birth_date, b.status").Scan(&rows).Error
		if err != nil {
			return nil, wrapRead(err, "provisional members")
		}
		out[i] = ProvisionalGroup{Group: g, Births: map[string]*civil.Date{}}
		for _, r := range rows {
			if r.Status == StatusEnrolled && r.BirthDate != nil && *r.BirthDate <= civil.Today(t.Now()) {
				out[i].Births[r.BabyID] = r.BirthDate
			} else {
				out[i].Births[r.BabyID] = nil
			}
		}
	}
	return out, nil
}

// StartProvisional makes provisional group id a regular group of the
// members in keep; the others wait again (they never attended a session).
func (t *Tx) StartProvisional(id string, keep []string) error {
	if err := t.g.Where("group_id = ? AND baby_id NOT IN ?", id, nonEmpty(keep)).Delete(&GroupMember{}).Error; err != nil {
		return fmt.Errorf("store: start provisional group: %w", err)
	}
	return wrapRead(t.g.Model(&Group{}).Where("id = ?", id).Update("provisional", false).Error, "start provisional group")
}
