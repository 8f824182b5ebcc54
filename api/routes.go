package api

import (
	"net/http"

	"github.com/coplan/coplan/metrics"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// routes registers every route of coplan; this is the one place to look.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.limitBody)
	e.HandleMethodNotAllowed = true
	e.NoRoute(func(c *gin.Context) { s.fail(c, store.Errorf(store.ENotFound, "no such route")) })
	e.NoMethod(func(c *gin.Context) {
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, Problem{Type: "urn:coplan:problem:method", Title: "Method Not Allowed",
			Status: http.StatusMethodNotAllowed, Detail: "this route does not take " + c.Request.Method})
	})

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.yaml", s.openAPI)
	e.GET("/robots.txt", s.robots)
	byIP := s.limit(s.byIP, clientIP)
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{})))
	// Reached before the router (see ServeHTTP); here for the route list.
	e.GET("/feeds/:token", gin.WrapF(s.serveFeed))
	e.HEAD("/feeds/:token", gin.WrapF(s.serveFeed))
	e.StaticFS("/static", staticFS())

	// Pages: Dutch by default, English with ?lang=en.
	// The login code is the credential here; no cookie and no CSRF token apply.
	e.GET("/login/:code", byIP, page, s.loginPage)
	e.POST("/login/:code", byIP, page, s.sameOrigin, s.login)
	e.POST("/logout", s.sameOrigin, s.pageAuth(), s.logout)
	e.GET("/", s.pageAuth(), s.home)
	e.GET("/babies", s.pageAuth(), s.babiesPage)
	e.GET("/babies.csv", s.pageAuth(), s.babiesExport)
	e.GET("/babies.xlsx", s.pageAuth(), s.babiesExport)
	e.GET("/babies/import", s.pageAuth(), s.importPage)
	e.POST("/babies/import", s.sameOrigin, s.pageAuth(), s.importUpload)
	e.POST("/babies/import/confirm", s.sameOrigin, s.pageAuth(), s.importConfirm)
	e.GET("/babies/new", s.pageAuth(), s.babyNewPage)
	e.POST("/babies/new", s.sameOrigin, s.pageAuth(), s.babyCreate)
	e.GET("/babies/:id", s.pageAuth(), s.babyPage)
	e.POST("/babies/:id", s.sameOrigin, s.pageAuth(), s.babyUpdate)
	e.GET("/babies/:id/move", s.pageAuth(), s.babyMovePage)
	e.POST("/babies/:id/move", s.sameOrigin, s.pageAuth(), s.babyMove)
	e.GET("/babies/:id/delete", s.pageAuth(), s.babyDeletePage)
	e.POST("/babies/:id/delete", s.sameOrigin, s.pageAuth(), s.babyDelete)
	e.POST("/babies/:id/join", s.sameOrigin, s.pageAuth(), s.babyJoin)
	e.GET("/groups", s.pageAuth(), s.groupsPage)
	e.GET("/groups/:id", s.pageAuth(), s.groupPage)
	e.POST("/groups/:id/members", s.sameOrigin, s.pageAuth(), s.groupAddMember)
	e.POST("/groups/:id/members/remove", s.sameOrigin, s.pageAuth(), s.groupRemoveMember)
	e.POST("/groups/:id/merge", s.sameOrigin, s.pageAuth(), s.groupMerge)
	e.POST("/groups/:id/dissolve", s.sameOrigin, s.pageAuth(), s.groupDissolve)
	e.GET("/sessions/:id", s.pageAuth(), s.sessionPage)
	e.POST("/sessions/:id", s.sameOrigin, s.pageAuth(), s.sessionUpdate)
	e.GET("/plan", s.pageAuth(), s.planPage)
	e.POST("/plan", s.sameOrigin, s.pageAuth(), s.replanPage)
	e.GET("/plan/publish", s.pageAuth(), s.publishPage)
	e.POST("/plan/publish", s.sameOrigin, s.pageAuth(), s.publish)
	e.GET("/locations/:id/week", s.pageAuth(), s.weekPage)
	e.POST("/locations/:id/week/blocks", s.sameOrigin, s.pageAuth(), s.weekBlock)
	e.GET("/survey/:token", byIP, page, s.surveyPage)
	e.POST("/survey/:token", byIP, page, s.sameOrigin, s.surveySubmit)
	e.GET("/surveys/:id", s.pageAuth(), s.surveyResults)
	e.GET("/capacity", s.pageAuth(), s.capacityPage)
	e.GET("/me/sessions", s.pageAuth(), s.mySessions)
	e.GET("/me/groups", s.pageAuth(), s.groupsPage)
	e.GET("/me/absence", s.pageAuth(), s.myAbsence)
	e.POST("/me/absence", s.sameOrigin, s.pageAuth(), s.myAbsenceSubmit)
	e.GET("/me/calendar", s.pageAuth(), s.myCalendar)
	e.POST("/me/calendar/feed", s.sameOrigin, s.pageAuth(), s.myCalendarCreate)
	e.POST("/me/calendar/rotate", s.sameOrigin, s.pageAuth(), s.myCalendarRotate)

	v1 := e.Group("/api/v1", apiHeaders, s.requireToken, s.auditRefusals, s.plainText, s.limit(s.byToken, tokenKey), s.idempotent)
	v1.GET("/organisations", s.listOrganisations)
	v1.POST("/organisations", s.createOrganisation)
	v1.GET("/organisations/:id", s.getOrganisation)
	v1.PATCH("/organisations/:id", s.updateOrganisation)
	v1.DELETE("/organisations/:id", s.deleteOrganisation)

	v1.GET("/locations", s.listLocations)
	v1.POST("/locations", s.createLocation)
	v1.GET("/locations/:id", s.getLocation)
	v1.PATCH("/locations/:id", s.updateLocation)
	v1.DELETE("/locations/:id", s.deleteLocation)
	v1.GET("/locations/:id/rooms", s.listRooms)
	v1.POST("/locations/:id/rooms", s.createRoom)
	v1.GET("/locations/:id/rooms/:room_id", s.getRoom)
	v1.PATCH("/locations/:id/rooms/:room_id", s.updateRoom)
	v1.DELETE("/locations/:id/rooms/:room_id", s.deleteRoom)
	v1.GET("/locations/:id/rooms/:room_id/blocks", s.listBlocks)
	v1.POST("/locations/:id/rooms/:room_id/blocks", s.createBlock)
	v1.GET("/locations/:id/rooms/:room_id/blocks/:block_id", s.getBlock)
	v1.DELETE("/locations/:id/rooms/:room_id/blocks/:block_id", s.deleteBlock)
	v1.GET("/locations/:id/bookings", s.listBookings)

	v1.GET("/facilitators", s.listFacilitators)
	v1.POST("/facilitators", s.createFacilitator)
	v1.GET("/facilitators/:id", s.getFacilitator)
	v1.PATCH("/facilitators/:id", s.updateFacilitator)
	v1.DELETE("/facilitators/:id", s.deleteFacilitator)
	v1.POST("/facilitators/:id/absences", s.addAbsence)

	v1.GET("/babies", s.listBabies)
	v1.POST("/babies", s.createBaby)
	v1.POST("/babies/import", s.importBabies)
	v1.GET("/babies/:id", s.getBaby)
	v1.PATCH("/babies/:id", s.updateBaby)
	v1.DELETE("/babies/:id", s.deleteBaby)
	v1.GET("/babies/:id/moves", s.listMoves)
	v1.GET("/babies/:id/export", s.exportBaby)
	v1.POST("/babies/:id/moves", s.moveBaby)
	v1.GET("/babies/:id/proposals", s.babyProposals)

	v1.POST("/plan", s.runPlan)
	v1.GET("/groups", s.listGroups)
	v1.GET("/groups/:id/members", s.listMembers)
	v1.POST("/groups/:id/members", s.addMember)
	v1.DELETE("/groups/:id/members/:baby_id", s.removeMember)
	v1.POST("/groups/:id/merge", s.mergeGroup)
	v1.POST("/groups/:id/dissolve", s.dissolveGroup)
	v1.GET("/handovers", s.listHandovers)
	v1.POST("/handovers/:id/accept", s.acceptHandover)
	v1.GET("/sessions", s.listSessions)
	v1.GET("/sessions/:id", s.getSession)
	v1.PATCH("/sessions/:id", s.updateSession)
	v1.GET("/interpreter-needs", s.interpreterNeeds)
	v1.GET("/interpreter-needs.csv", s.interpreterNeeds)

	v1.GET("/feeds", s.listFeeds)
	v1.POST("/feeds", s.createFeed)
	v1.DELETE("/feeds/:id", s.deleteFeed)
	v1.POST("/feeds/:id/rotate", s.rotateFeed)

	v1.GET("/conflicts", s.listConflicts)
	v1.GET("/capacity", s.getCapacity)
	v1.GET("/capacity.csv", s.getCapacity)
	v1.POST("/capacity/what-if", s.whatIf)
	v1.GET("/surveys", s.listSurveys)
	v1.POST("/surveys", s.createSurvey)
	v1.GET("/surveys/:id/responses", s.listResponses)
	v1.GET("/surveys/:id/responses.csv", s.listResponses)
	v1.PUT("/surveys/:id/responses/:organisation_id", s.putResponse)
	v1.GET("/audit", s.listAudit)
}
