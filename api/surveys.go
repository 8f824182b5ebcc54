package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

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
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="survey-responses.csv"`)
		w := csv.NewWriter(c.Writer)
		_ = w.Write([]string{"organisation_id", "organisation", "invited_on", "interested", "location_ids", "start_quarter",
			"trained_facilitators", "to_train", "contact_name", "contact_email", "remarks", "answered_at", "failed_mails"})
		for _, r := range rows {
			rec := []string{r.OrganisationID, csvSafe(r.OrganisationName), "", "", "", "", "", "", "", "", "", "", strconv.Itoa(r.FailedMails)}
			if r.InvitedOn != nil {
				rec[2] = r.InvitedOn.String()
			}
			if a := r.Response; a != nil {
				rec[3], rec[4], rec[5] = a.Interested, strings.Join(a.LocationIDs, " "), a.StartQuarter
				rec[6], rec[7] = strconv.Itoa(a.TrainedFacilitators), strconv.Itoa(a.ToTrain)
				rec[8], rec[9], rec[10] = csvSafe(a.ContactName), csvSafe(a.ContactEmail), csvSafe(a.Remarks)
				rec[11] = a.AnsweredAt.Format(time.RFC3339)
			}
			_ = w.Write(rec)
		}
		w.Flush()
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
