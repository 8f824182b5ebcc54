package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// importLimit is the body limit of a CSV import (100,000 rows are about 5 MB).
const importLimit = 32 << 20

// importBabies takes a coordinator's spreadsheet as CSV, all or nothing:
// every problem of every row at once, or every row stored. With
// ?mode=update a known ref updates its record.
func (s *Server) importBabies(c *gin.Context) {
	opt := store.ImportOptions{}
	switch c.Query("mode") {
	case "", "new":
	case "update":
		opt.Update = true
	default:
		s.fail(c, invalid("mode", "must be new or update"))
		return
	}
	res, err := s.db.ImportFile(c.Request.Context(), actor(c), c.Request.Body, opt)
	if err != nil && isTooLarge(err) {
		s.fail(c, &store.Error{Code: codeTooLarge, Message: "the file is larger than 32 MiB"})
		return
	}
	s.reply(c, http.StatusCreated, gin.H{"imported": res.Created + res.Updated, "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}, err)
}
