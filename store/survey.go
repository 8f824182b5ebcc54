package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Survey is a round of the interest survey (interessepeiling): are GGD/JGZ
// organisations going to offer CO at the COA locations they serve?
type Survey struct {
	ID        string     `gorm:"primaryKey" json:"id"`
	Title     string     `json:"title"`
	OpensOn   civil.Date `json:"opens_on"`
	Deadline  civil.Date `json:"deadline"`
	CreatedBy string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
}

// Invitation asks one organisation to answer a survey.
type Invitation struct {
	ID             string      `gorm:"primaryKey" json:"id"`
	SurveyID       string      `json:"survey_id"`
	OrganisationID string      `json:"organisation_id"`
	InvitedOn      *civil.Date `json:"invited_on,omitempty"`
	CreatedAt      time.Time   `json:"-"`
}

// TableName is survey_invitations.
func (Invitation) TableName() string { return "survey_invitations" }

// Interest answers.
const (
	InterestYes   = "yes"
	InterestNo    = "no"
	InterestMaybe = "maybe"
)

// SurveyResponse is an organisation's answer: the supply side of capacity
// planning (trained facilitators, locations, the quarter it could start).
type SurveyResponse struct {
	SurveyID            string    `gorm:"primaryKey" json:"survey_id"`
	OrganisationID      string    `gorm:"primaryKey" json:"organisation_id"`
	Interested          string    `json:"interested"`
	LocationIDs         []string  `gorm:"serializer:json" json:"location_ids"`
	StartQuarter        string    `json:"start_quarter"`
	TrainedFacilitators int       `json:"trained_facilitators"`
	ToTrain             int       `json:"to_train"`
	ContactName         string    `json:"contact_name"`
	ContactEmail        string    `json:"contact_email"`
	Remarks             string    `json:"remarks"`
	AnsweredAt          time.Time `json:"answered_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

var quarterPattern = regexp.MustCompile(`^(20[2-9][0-9])-Q([1-4])$`)

// Validate checks an answer; locations are the organisation's own.
func (r *SurveyResponse) Validate(locations []Location) error {
	var f Fields
	f.Limit("location_ids", len(r.LocationIDs), MaxSurveyLocations)
	switch r.Interested {
	case InterestYes, InterestNo, InterestMaybe:
	default:
		f.Add("interested", "choice", "must be yes, no or maybe")
	}
	if r.LocationIDs == nil {
		r.LocationIDs = []string{}
	}
	for i, id := range r.LocationIDs {
		if !slices.ContainsFunc(locations, func(l Location) bool { return l.ID == id }) {
			f.Add(fmt.Sprintf("location_ids[%d]", i), "not_served", "is not a location the organisation serves")
		}
	}
	if r.Interested == InterestYes || r.Interested == InterestMaybe {
		if len(r.LocationIDs) == 0 {
			f.Add("location_ids", "choose_location", "choose at least one location")
		}
		if !quarterPattern.MatchString(r.StartQuarter) {
			f.Add("start_quarter", "choose_quarter", "choose the quarter you could start, such as 2027-Q2")
		}
	} else if r.StartQuarter != "" && !quarterPattern.MatchString(r.StartQuarter) {
		f.Add("start_quarter", "quarter", "must be a quarter such as 2027-Q2")
	}
	if r.TrainedFacilitators < 0 || r.TrainedFacilitators > 500 {
		f.Add("trained_facilitators", "range_0_500", "must be from 0 to 500")
	}
	if r.ToTrain < 0 || r.ToTrain > 500 {
		f.Add("to_train", "range_0_500", "must be from 0 to 500")
	}
	validateName(&f, "contact_name", r.ContactName)
	if strings.TrimSpace(r.ContactEmail) == "" {
		f.Add("contact_email", "required", "is required")
	} else {
		validateEmail(&f, "contact_email", r.ContactEmail)
	}
	if len(r.Remarks) > 2000 {
		f.Add("remarks", "too_long_2000", "is longer than 2000 characters")
	}
	return f.Err()
}

// CreateSurvey opens a survey round and invites the organisations (all when none are named).
func (db *DB) CreateSurvey(ctx context.Context, a Actor, s *Survey, organisationIDs []string) ([]Invitation, error) {
	if err := a.Require(RoleAdmin); err != nil {
		return nil, err
	}
	var f Fields
	f.Limit("organisation_ids", len(organisationIDs), MaxSurveyInvitations)
	validateName(&f, "title", s.Title)
	if s.Deadline < s.OpensOn {
		f.Add("deadline", "before_opens", "is before opens_on")
	}
	if s.Deadline < db.Today() {
		f.Add("deadline", "past", "is in the past")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var invitations []Invitation
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if len(organisationIDs) == 0 {
			if err := tx.Model(&Organisation{}).Order("id").Pluck("id", &organisationIDs).Error; err != nil {
				return err
			}
		}
		var f Fields
		for i, id := range organisationIDs {
			known, err := exists(tx.Model(&Organisation{}).Where("id = ?", id))
			if err != nil {
				return err
			}
			if !known {
				f.Add(fmt.Sprintf("organisation_ids[%d]", i), "unknown", "unknown organisation %q", id)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		s.ID, s.CreatedBy, s.CreatedAt = NewID("srv"), a.Who(), db.Now()
		if err := tx.Create(s).Error; err != nil {
			return err
		}
		for _, id := range organisationIDs {
			inv := Invitation{ID: NewID("inv"), SurveyID: s.ID, OrganisationID: id, CreatedAt: db.Now()}
			if err := tx.Create(&inv).Error; err != nil {
				return wrapWrite(err, "invitation", "organisation_ids")
			}
			invitations = append(invitations, inv)
		}
		return nil
	})
	return invitations, err
}

// Surveys lists surveys: all for an admin, those it is invited to for a coordinator.
func (db *DB) Surveys(ctx context.Context, a Actor) ([]Survey, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	q := db.gorm.WithContext(ctx).Order("opens_on DESC, id")
	if !a.IsAdmin() {
		q = q.Where("id IN (SELECT survey_id FROM survey_invitations WHERE organisation_id = ?)", a.OrganisationID)
	}
	out := []Survey{}
	return out, q.Find(&out).Error
}

// Survey returns one survey a may see.
func (db *DB) Survey(ctx context.Context, a Actor, id string) (*Survey, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	q := db.gorm.WithContext(ctx).Where("id = ?", id)
	if !a.IsAdmin() {
		q = q.Where("id IN (SELECT survey_id FROM survey_invitations WHERE organisation_id = ?)", a.OrganisationID)
	}
	return first[Survey](q, "survey", id)
}

// InvitationView is what the answer page needs: the invitation, its survey and
// organisation, the locations it serves, and the answer so far.
type InvitationView struct {
	Invitation   Invitation
	Survey       Survey
	Organisation Organisation
	Locations    []Location
	Response     *SurveyResponse
}

// InvitationByID loads an invitation for the answer page; the caller has
// checked the capability token.
func (db *DB) InvitationByID(ctx context.Context, id string) (*InvitationView, error) {
	g := db.gorm.WithContext(ctx)
	inv, err := first[Invitation](g.Where("id = ?", id), "invitation", id)
	if err != nil {
		return nil, err
	}
	v := &InvitationView{Invitation: *inv}
	s, err := first[Survey](g.Where("id = ?", inv.SurveyID), "survey", inv.SurveyID)
	if err != nil {
		return nil, err
	}
	o, err := first[Organisation](g.Where("id = ?", inv.OrganisationID), "organisation", inv.OrganisationID)
	if err != nil {
		return nil, err
	}
	v.Survey, v.Organisation = *s, *o
	if err := g.Where("organisation_id = ?", o.ID).Order("name, id").Find(&v.Locations).Error; err != nil {
		return nil, err
	}
	var rs []SurveyResponse
	if err := g.Where("survey_id = ? AND organisation_id = ?", s.ID, o.ID).Find(&rs).Error; err != nil {
		return nil, err
	}
	if len(rs) > 0 {
		v.Response = &rs[0]
	}
	return v, nil
}

// SaveResponse stores or replaces an organisation's answer until the deadline.
func (db *DB) SaveResponse(ctx context.Context, surveyID, organisationID string, r *SurveyResponse) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		s, err := first[Survey](tx.Where("id = ?", surveyID), "survey", surveyID)
		if err != nil {
			return err
		}
		invited, err := exists(tx.Model(&Invitation{}).Where("survey_id = ? AND organisation_id = ?", surveyID, organisationID))
		if err != nil {
			return err
		}
		if !invited {
			return notFound("invitation of organisation", organisationID)
		}
		if today := db.Today(); today > s.Deadline {
			return Errorf(EUnprocessable, "the survey closed on %s; answers can no longer change", s.Deadline)
		} else if today < s.OpensOn {
			return Errorf(EUnprocessable, "the survey opens on %s", s.OpensOn)
		}
		var locs []Location
		if err := tx.Where("organisation_id = ?", organisationID).Find(&locs).Error; err != nil {
			return err
		}
		if err := r.Validate(locs); err != nil {
			return err
		}
		now := db.Now()
		r.SurveyID, r.OrganisationID, r.UpdatedAt = surveyID, organisationID, now
		var old []SurveyResponse
		if err := tx.Where("survey_id = ? AND organisation_id = ?", surveyID, organisationID).Find(&old).Error; err != nil {
			return err
		}
		r.AnsweredAt = now
		if len(old) > 0 {
			r.AnsweredAt = old[0].AnsweredAt
		}
		return tx.Save(r).Error
	})
}

// ResponseRow is an invited organisation with its answer, if any.
type ResponseRow struct {
	OrganisationID   string          `json:"organisation_id"`
	OrganisationName string          `json:"organisation_name"`
	InvitedOn        *civil.Date     `json:"invited_on"`
	Response         *SurveyResponse `json:"response"`
	FailedMails      int             `json:"failed_mails"`
	InvitationID     string          `json:"-"` // for the organisation's link
}

// Responses lists every invited organisation of a survey with its answer; a
// coordinator sees only its own row.
func (db *DB) Responses(ctx context.Context, a Actor, surveyID string) ([]ResponseRow, error) {
	if _, err := db.Survey(ctx, a, surveyID); err != nil {
		return nil, err
	}
	g := db.gorm.WithContext(ctx)
	var invs []Invitation
	q := g.Where("survey_id = ?", surveyID)
	if !a.IsAdmin() {
		q = q.Where("organisation_id = ?", a.OrganisationID)
	}
	if err := q.Order("organisation_id").Find(&invs).Error; err != nil {
		return nil, err
	}
	var rs []SurveyResponse
	if err := g.Where("survey_id = ?", surveyID).Find(&rs).Error; err != nil {
		return nil, err
	}
	var orgs []Organisation
	if err := g.Find(&orgs).Error; err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	byOrg := map[string]*SurveyResponse{}
	for i := range rs {
		byOrg[rs[i].OrganisationID] = &rs[i]
	}
	var failed []Mail
	if err := g.Where("dedupe_key LIKE ? AND status = ?", "survey:"+surveyID+":%", MailFailed).Find(&failed).Error; err != nil {
		return nil, err
	}
	out := []ResponseRow{}
	for _, inv := range invs {
		row := ResponseRow{OrganisationID: inv.OrganisationID, OrganisationName: names[inv.OrganisationID], InvitedOn: inv.InvitedOn,
			Response: byOrg[inv.OrganisationID], InvitationID: inv.ID}
		for _, m := range failed {
			if strings.HasPrefix(m.DedupeKey, "survey:"+surveyID+":"+inv.OrganisationID+":") {
				row.FailedMails++
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// OpenInvitation is an invitation the reminder job must look at.
type OpenInvitation struct {
	Invitation
	Survey       Survey
	ContactEmail string
	Organisation string
}

// OpenInvitations lists, in tx, the invitations of surveys open on today that
// have no answer yet.
func (t *Tx) OpenInvitations(today civil.Date) ([]OpenInvitation, error) {
	tx := t.g
	var surveys []Survey
	if err := tx.Where("opens_on <= ? AND deadline >= ?", today, today).Order("id").Find(&surveys).Error; err != nil {
		return nil, err
	}
	var out []OpenInvitation
	for _, s := range surveys {
		var invs []Invitation
		if err := tx.Where("survey_id = ? AND organisation_id NOT IN (SELECT organisation_id FROM survey_responses WHERE survey_id = ?)", s.ID, s.ID).
			Order("organisation_id").Find(&invs).Error; err != nil {
			return nil, err
		}
		for _, inv := range invs {
			var o Organisation
			if err := tx.Where("id = ?", inv.OrganisationID).Take(&o).Error; err != nil {
				return nil, err
			}
			out = append(out, OpenInvitation{Invitation: inv, Survey: s, ContactEmail: o.ContactEmail, Organisation: o.Name})
		}
	}
	return out, nil
}

// MarkInvited records the day the invitation went out.
func (tx *Tx) MarkInvited(invitationID string, on civil.Date) error {
	return wrapRead(tx.g.Model(&Invitation{}).Where("id = ?", invitationID).Update("invited_on", on).Error, "mark invited")
}

// LatestTrainingAnswer is the newest survey answer of an organisation that
// names facilitators to train, or nil.
func (tx *Tx) LatestTrainingAnswer(organisationID string) (*SurveyResponse, error) {
	var rs []SurveyResponse
	if err := tx.g.Where("organisation_id = ? AND to_train > 0", organisationID).Order("updated_at DESC").Limit(1).Find(&rs).Error; err != nil {
		return nil, wrapRead(err, "survey answer")
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return &rs[0], nil
}

// InvitationFor returns the invitation of a's organisation to survey id.
func (db *DB) InvitationFor(ctx context.Context, a Actor, surveyID string) (*Invitation, error) {
	if err := a.Require(RoleCoordinator); err != nil {
		return nil, err
	}
	return first[Invitation](db.gorm.WithContext(ctx).Where("survey_id = ? AND organisation_id = ?", surveyID, a.OrganisationID), "invitation", surveyID)
}
