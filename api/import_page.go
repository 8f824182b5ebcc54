package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The import page: a coordinator uploads a spreadsheet (CSV), sees every bad
// row and field at once, or what the import would do, and confirms it.
// Nothing is stored until the confirmation, and the file is not kept: the
// preview carries it in the confirmation form.

// importProblem is one bad cell of a file, in words.
type importProblem struct {
	Line    int
	Column  string
	Message string
}

// importPreview is what the page shows after an upload.
type importPreview struct {
	Mode     string
	Problems []importProblem
	Plan     *store.ImportPlan
	Sample   []babyRow
	File     string // the file, for the confirmation
	Name     string
}

func (s *Server) importPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.render(c, http.StatusOK, "import", "import.title", &importPreview{Mode: "new"})
}

// importUpload previews an uploaded file.
func (s *Server) importUpload(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	mode := c.PostForm("mode")
	fh, err := c.FormFile("file")
	if err != nil {
		s.render(c, http.StatusBadRequest, "import", "import.title", &importPreview{Mode: mode,
			Problems: []importProblem{{Message: translate(lang(c), "import.nofile")}}})
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, importLimit+1))
	if err != nil || len(data) > importLimit {
		s.render(c, http.StatusRequestEntityTooLarge, "import", "import.title", &importPreview{Mode: mode,
			Problems: []importProblem{{Message: translate(lang(c), "import.toolarge")}}})
		return
	}
	s.preview(c, data, mode, fh.Filename)
}

func (s *Server) preview(c *gin.Context, data []byte, mode, name string) {
	ctx, a := c.Request.Context(), actor(c)
	opt := store.ImportOptions{Update: mode == "update"}
	plan, problems, err := s.db.PreviewImport(ctx, a, bytes.NewReader(data), opt)
	if err != nil {
		s.importRefused(c, mode, err)
		return
	}
	l := lang(c)
	p := &importPreview{Mode: mode, Plan: plan, Name: name}
	for _, rp := range problems {
		p.Problems = append(p.Problems, importProblem{Line: rp.Line, Column: columnName(l, rp.Field),
			Message: fieldMessage(l, store.FieldError{Code: rp.Code, Args: rp.Args})})
	}
	status := http.StatusOK
	if len(p.Problems) > 0 {
		status = http.StatusBadRequest
	} else {
		p.File = string(data)
		locs, err := s.locationChoices(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		sample := plan.Create
		if len(sample) > 10 {
			sample = sample[:10]
		}
		if p.Sample, err = s.babyRows(c, sample, locs); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "import", "import.title", p)
}

// columnName is how the page names a column of the file.
func columnName(l, field string) string {
	if field == "location_id" {
		field = "location"
	}
	if messages.Has(l, "import.col."+field) {
		return translate(l, "import.col."+field)
	}
	return field
}

// importConfirm imports the previewed file.
func (s *Server) importConfirm(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	mode := c.PostForm("mode")
	data := []byte(c.PostForm("file"))
	res, err := s.db.ImportFile(c.Request.Context(), actor(c), bytes.NewReader(data), store.ImportOptions{Update: mode == "update"})
	if err != nil {
		// The file changed under it (a ref taken since): show it again.
		s.preview(c, data, mode, c.PostForm("name"))
		return
	}
	done(c, "/babies?n="+strconv.Itoa(res.Created+res.Updated), "imported")
}

func (s *Server) importRefused(c *gin.Context, mode string, err error) {
	var e *store.Error
	if errors.As(err, &e) && e.Code == store.EInvalid {
		p := &importPreview{Mode: mode}
		for _, fe := range e.Fields {
			p.Problems = append(p.Problems, importProblem{Message: fieldMessage(lang(c), fe)})
		}
		s.render(c, http.StatusBadRequest, "import", "import.title", p)
		return
	}
	s.fail(c, err)
}
