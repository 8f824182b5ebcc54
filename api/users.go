package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// userRequest is the body of POST /api/v1/users: an invitation.
type userRequest struct {
	Name           *string `json:"name"`
	Email          *string `json:"email"`
	Role           *string `json:"role"`
	OrganisationID *string `json:"organisation_id"`
	FacilitatorID  *string `json:"facilitator_id"`
	LocationID     *string `json:"location_id"`
}

// user is the invitation r asks for; a coordinator invites into its own
// organisation unless it names one.
func (r *userRequest) user(a store.Actor) store.User {
	u := store.User{OrganisationID: a.OrganisationID}
	if a.IsAdmin() {
		u.OrganisationID = ""
	}
	set(&u.Name, r.Name)
	set(&u.Email, r.Email)
	if r.Role != nil {
		u.Role = store.Role(*r.Role)
	}
	set(&u.OrganisationID, r.OrganisationID)
	set(&u.FacilitatorID, r.FacilitatorID)
	set(&u.LocationID, r.LocationID)
	return u
}

func (s *Server) createUser(c *gin.Context) {
	var r userRequest
	if !s.decode(c, &r) {
		return
	}
	a := actor(c)
	u := r.user(a)
	s.reply(c, http.StatusCreated, &u, s.accounts.Invite(c.Request.Context(), a, &u, lang(c)))
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.db.Users(c.Request.Context(), actor(c), store.UserFilter{OrganisationID: c.Query("organisation_id")})
	s.reply(c, http.StatusOK, list[store.User]{users, int64(len(users))}, err)
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.db.User(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, u, err)
}

// updateUser is PATCH /api/v1/users/{id}: {"active": false} disables the
// user (its sessions and tokens stop at once), true enables it again.
func (s *Server) updateUser(c *gin.Context) {
	var r struct {
		Active *bool `json:"active"`
	}
	if !s.decode(c, &r) {
		return
	}
	if r.Active == nil {
		s.fail(c, store.Field("active", "required", "is required: true or false"))
		return
	}
	u, err := s.db.SetUserActive(c.Request.Context(), actor(c), c.Param("id"), *r.Active)
	s.reply(c, http.StatusOK, u, err)
}
