package handlers

import (
	"net/http"

	"cunji/docs"

	"github.com/labstack/echo/v4"
)

// OpenAPIDocument is GET /api/v1/openapi.json: the OpenAPI 3.1 document of API v1,
// open to anyone (it describes the API, not its data).
func (h *Handler) OpenAPIDocument(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", docs.OpenAPI)
}
