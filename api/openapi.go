package api

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var openAPIDoc []byte

func (s *Server) openAPI(c *gin.Context) {
	c.Data(200, "application/yaml; charset=utf-8", openAPIDoc)
}
