package api

import (
	"net/http"
	"strings"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/survey"
	"github.com/gin-gonic/gin"
)

type surveyRequest struct {
	Title           *string   `json:"title"`
	OpensOn         *string   `json:"opens_on"`
	Deadline        *string   `json:"deadline"`
	OrganisationIDs *[]string `json:"organisation_ids"`
}

type invitationOut struct {
	store.Invitation
	AnswerURL string `json:"answer_url"`
}

func (s *Server) surveyService() *survey.Service {
	return &survey.Service{DB: s.db, Secret: s.secret, BaseURL: s.baseURL.String()}
}

func (s *Server) createSurvey(c *gin.Context) {
	var req surveyRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	sv := &store.Survey{}
	set(&sv.Title, req.Title)
	sv.OpensOn, sv.Deadline = requiredDate(&f, "opens_on", req.OpensOn), requiredDate(&f, "deadline", req.Deadline)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	invs, err := s.db.CreateSurvey(c.Request.Context(), actor(c), sv, deref(req.OrganisationIDs))
	if err != nil {
		s.fail(c, err)
		return
	}
	svc := s.surveyService()
	out := make([]invitationOut, len(invs))
	for i, inv := range invs {
		out[i] = invitationOut{inv, svc.Link(inv.ID)}
	}
	c.JSON(http.StatusCreated, gin.H{"survey": sv, "invitations": out})
}

func (s *Server) listSurveys(c *gin.Context) {
	items, err := s.db.Surveys(c.Request.Context(), actor(c))
	s.reply(c, http.StatusOK, list[store.Survey]{items, int64(len(items))}, err)
}

func (s *Server) listResponses(c *gin.Context) {
	rows, err := s.db.Responses(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if strings.HasSuffix(c.FullPath(), ".csv") {
		writeCSV(c, responseSheet(lang(c), rows))
		return
	}
	c.JSON(http.StatusOK, list[store.ResponseRow]{rows, int64(len(rows))})
}

type responseRequest struct {
	Interested          *string   `json:"interested"`
	LocationIDs         *[]string `json:"location_ids"`
	StartQuarter        *string   `json:"start_quarter"`
	TrainedFacilitators *int      `json:"trained_facilitators"`
	ToTrain             *int      `json:"to_train"`
	ContactName         *string   `json:"contact_name"`
	ContactEmail        *string   `json:"contact_email"`
	Remarks             *string   `json:"remarks"`
}

// putResponse answers a survey for an organisation by API (its coordinator, or an admin).
func (s *Server) putResponse(c *gin.Context) {
	var req responseRequest
	if !s.decode(c, &req) {
		return
	}
	a := actor(c)
	org := c.Param("organisation_id")
	if a.Role != store.RoleAdmin && (a.Role != store.RoleCoordinator || a.OrganisationID != org) {
		s.fail(c, store.Errorf(store.ENotFound, "no invitation of organisation %q for you", org))
		return
	}
	r := &store.SurveyResponse{}
	set(&r.Interested, req.Interested)
	set(&r.LocationIDs, req.LocationIDs)
	set(&r.StartQuarter, req.StartQuarter)
	set(&r.TrainedFacilitators, req.TrainedFacilitators)
	set(&r.ToTrain, req.ToTrain)
	set(&r.ContactName, req.ContactName)
	set(&r.ContactEmail, req.ContactEmail)
	set(&r.Remarks, req.Remarks)
	if err := s.db.SaveResponse(c.Request.Context(), c.Param("id"), org, r); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (r *surveyRequest) limits(f *store.Fields) {
	f.Limit("organisation_ids", count(r.OrganisationIDs), store.MaxSurveyInvitations)
}

func (r *responseRequest) limits(f *store.Fields) {
	f.Limit("location_ids", count(r.LocationIDs), store.MaxSurveyLocations)
}

// responseSheet is a survey round's answers, a row per invited organisation.
func responseSheet(l string, rows []store.ResponseRow) *sheet {
	sh := &sheet{name: "survey-responses", cols: []string{"organisation_id", "organisation", "invited_on", "interested", "interested_name",
		"location_ids", "start_quarter", "trained_facilitators", "to_train", "contact_name", "contact_email", "remarks", "answered_at", "failed_mails"}}
	for _, r := range rows {
		cells := []any{r.OrganisationID, r.OrganisationName, r.InvitedOn, "", "", "", "", nil, nil, "", "", "", nil, r.FailedMails}
		if a := r.Response; a != nil {
			cells[3], cells[4], cells[5], cells[6] = a.Interested, translate(l, "survey."+a.Interested), strings.Join(a.LocationIDs, " "), a.StartQuarter
			cells[7], cells[8], cells[9], cells[10], cells[11], cells[12] = a.TrainedFacilitators, a.ToTrain, a.ContactName, a.ContactEmail, a.Remarks, a.AnsweredAt
		}
		sh.add(cells...)
	}
	return sh
}
