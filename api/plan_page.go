package api

import (
	"net/http"
	"net/url"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// planPage shows a coordinator its organisation's groups, sessions, unplanned
// sessions and unplaced babies, with a button that re-plans.
func (s *Server) planPage(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	if a.Role != store.RoleAdmin && a.Role != store.RoleCoordinator {
		s.fail(c, store.Errorf(store.EForbidden, "the plan is for coordinators"))
		return
	}
	org := c.Query("organisation_id")
	if org == "" && !a.IsAdmin() {
		org = a.OrganisationID
	}
	if org == "" {
		orgs, _, err := s.db.Organisations(ctx, a, store.Page{Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "plan", "plan.title", gin.H{"Choose": orgs})
		return
	}
	ov, err := s.db.PlanOverview(ctx, a, org)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "plan", "plan.title", gin.H{"Overview": ov})
}

// replanPage runs the planner from the page's button and shows the result.
func (s *Server) replanPage(c *gin.Context) {
	org := c.PostForm("organisation_id")
	if _, _, err := s.uc.RunPlans(c.Request.Context(), actor(c), org, false); err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{}
	if org != "" {
		q.Set("organisation_id", org)
	}
	if lang(c) == "en" {
		q.Set("lang", "en")
	}
	c.Redirect(http.StatusSeeOther, "/plan?"+q.Encode())
}
