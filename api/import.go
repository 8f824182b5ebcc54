package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// importLimit is the body limit of a CSV import (100,000 rows are about 5 MB).
const importLimit = 32 << 20

// importBabies takes a coordinator's spreadsheet as CSV, all or nothing.
func (s *Server) importBabies(c *gin.Context) {
	rows, problems, err := store.ParseImport(c.Request.Body)
	if err != nil {
		if isTooLarge(err) {
			s.fail(c, &store.Error{Code: codeTooLarge, Message: "the file is larger than 32 MiB"})
			return
		}
		s.fail(c, invalid("body", "could not be read as CSV"))
		return
	}
	if len(problems) > 0 {
		var f store.Fields
		for _, p := range problems {
			f.Add("rows["+itoa(p.Line)+"]."+p.Field, p.Code, "%s", p.Detail)
		}
		s.fail(c, f.Err())
		return
	}
	n, err := s.db.ImportBabies(c.Request.Context(), actor(c), rows, nil)
	s.reply(c, http.StatusCreated, gin.H{"imported": n}, err)
}
