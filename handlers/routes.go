package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

const (
	village  = models.RoleVillage
	street   = models.RoleStreet
	district = models.RoleDistrict
)

// Echo builds the server: middleware, the error handler and every route. This file is
// the permission table: each route is one action, and the roles(...) beside it are the
// only roles that reach its handler (403 for the others). Routes in the anyone group
// without roles(...) are open to every signed-in role. Which villages, streets,
// companies, workshops, accounts and files an allowed role sees is its scope, applied
// inside every query: an object outside it answers 404.
func (h *Handler) Echo() *echo.Echo {
	if h.Passwords == nil {
		h.Passwords = models.NewPasswords(models.ConcurrentComparisons)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.errorHandler
	e.IPExtractor = h.ipExtractor()
	e.Use(h.observe, middleware.Recover(), secureHeaders, h.forwardedHTTPS, middleware.BodyLimit("12M"))
	e.StaticFS("/static", h.staticFS())
	e.GET("/healthz", h.Healthz)
	e.GET("/readyz", h.Readyz)
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/icon.svg") })

	// JSON API v1, described by docs/openapi.json: Bearer token only.
	api := e.Group("/api/v1")
	api.GET("/openapi.json", h.OpenAPIDocument)
	api.POST("/auth/login", h.AuthLogin)
	anyone := api.Group("", h.apiAuth)
	anyone.POST("/auth/password", h.AuthPassword)
	anyone.GET("/villages", h.APIVillageList)
	anyone.GET("/villages/:code", h.APIVillageShow)
	anyone.GET("/villages/:code/reports/:year", h.APIReportShow)
	anyone.GET("/audit", h.APIAudit)
	anyone.PUT("/villages/:code/reports/:year", h.APIReportSave, roles(village))
	anyone.POST("/villages/:code/reports/:year/submit", h.APIReportSubmit, roles(village))
	anyone.POST("/villages/:code/reports/:year/approve", h.APIReportApprove, roles(street))
	anyone.POST("/villages/:code/reports/:year/reject", h.APIReportReject, roles(street))
	anyone.GET("/rollup", h.APIRollup, roles(street, district))
	anyone.GET("/trend", h.APITrend, roles(street, district))
	anyone.GET("/ranking", h.APIRanking, roles(district))
	anyone.GET("/completeness", h.APICompleteness, roles(street, district))
	anyone.GET("/lists/:kind", h.APIList, roles(street, district))
	anyone.PUT("/windows/:year", h.APIWindowSet, roles(district))
	anyone.POST("/years/:year/close", h.APIYearClose, roles(district))
	anyone.GET("/titles", h.APITitleList)
	anyone.POST("/titles", h.APITitleCreate, roles(district))
	anyone.POST("/titles/:id/revoke", h.APITitleRevoke, roles(district))
	anyone.GET("/targets", h.APITargetList, roles(street, district))
	anyone.PUT("/targets", h.APITargetSet, roles(district))
	anyone.POST("/villages/:code/exceptions", h.APIExceptionGrant, roles(district))
	anyone.GET("/companies", h.APICompanyList)
	anyone.GET("/companies/:id", h.APICompanyShow)
	anyone.POST("/companies", h.APICompanyCreate, roles(street, district))
	anyone.PUT("/companies/:id", h.APICompanyUpdate, roles(street, district))
	anyone.PUT("/companies/:id/members", h.APICompanyMembers, roles(street, district))
	anyone.POST("/companies/:id/dissolve", h.APICompanyDissolve, roles(street, district))
	anyone.POST("/companies/:id/restore", h.APICompanyRestore, roles(street, district))
	anyone.PUT("/companies/:id/years/:year", h.APICompanyYear, roles(street, district))
	anyone.GET("/villages/:code/workshops", h.APIVillageWorkshops)
	anyone.POST("/villages/:code/workshops", h.APIWorkshopCreate, roles(village))
	anyone.GET("/workshops", h.APIWorkshopList, roles(street, district))
	anyone.GET("/workshops/:id", h.APIWorkshopShow)
	anyone.PUT("/workshops/:id", h.APIWorkshopSave, roles(village))
	anyone.POST("/workshops/:id/submit", h.APIWorkshopSubmit, roles(village))
	anyone.POST("/workshops/:id/approve", h.APIWorkshopApprove, roles(street))
	anyone.POST("/workshops/:id/reject", h.APIWorkshopReject, roles(street))
	anyone.PUT("/workshops/:id/star", h.APIWorkshopStar, roles(district))
	anyone.POST("/villages/:code/reports/:year/files", h.APIUpload, roles(village))
	anyone.POST("/workshops/:id/files", h.APIUpload, roles(village))
	anyone.GET("/files/:id", h.FileDownload)
	anyone.GET("/users", h.APIUserList, roles(street, district))
	anyone.POST("/users", h.APIUserCreate, roles(street, district))
	anyone.POST("/users/:username/disable", h.APIUserDisable, roles(street, district))
	anyone.POST("/users/:username/enable", h.APIUserEnable, roles(street, district))
	anyone.POST("/users/:username/reset", h.APIUserReset, roles(street, district))
	anyone.POST("/import/villages", h.APIImportVillages, roles(district))
	anyone.POST("/import/reports", h.APIImportReports, roles(district))
	anyone.POST("/import/users", h.APIImportUsers, roles(street, district))
	anyone.GET("/import/template/:kind", h.ImportTemplate, roles(street, district))
	anyone.POST("/villages", h.APIVillageCreate, roles(district))
	anyone.PUT("/villages/:code", h.APIVillageUpdate, roles(district))
	api.Any("/*", func(echo.Context) error { return models.ErrNotFound })

	// Pages: session cookie, CSRF token on every form.
	e.GET("/login", h.LoginPage, h.csrf)
	e.POST("/login", h.LoginSubmit, h.csrf)
	pages := e.Group("", h.csrf, h.pageAuth)
	pages.GET("/", h.Home)
	pages.POST("/logout", h.Logout)
	pages.GET("/password", h.PasswordPage)
	pages.POST("/password", h.PasswordSave)
	pages.GET("/users", h.UserList, roles(street, district))
	pages.POST("/users", h.UserCreate, roles(street, district))
	pages.POST("/users/import", h.UsersImport, roles(street, district))
	pages.POST("/users/:username/disable", h.UserDisable, roles(street, district))
	pages.POST("/users/:username/enable", h.UserEnable, roles(street, district))
	pages.POST("/users/:username/reset", h.UserReset, roles(street, district))
	pages.GET("/import", h.ImportPage, roles(district))
	pages.GET("/import/template/:kind", h.ImportTemplate, roles(street, district))
	pages.POST("/import/villages", h.ImportVillagesPost, roles(district))
	pages.POST("/import/reports", h.ImportReportsPost, roles(district))
	pages.GET("/villages/:code", h.VillageShow)
	pages.GET("/villages/:code/reports/:year", h.ReportShow)
	pages.POST("/villages/:code/reports/:year", h.ReportSave, roles(village))
	pages.POST("/villages/:code/reports/:year/submit", h.ReportSubmit, roles(village))
	pages.GET("/queue", h.QueueShow, roles(street))
	pages.POST("/queue/approve", h.QueueApprove, roles(street))
	pages.POST("/villages/:code/reports/:year/approve", h.ReportApprove, roles(street))
	pages.POST("/villages/:code/reports/:year/reject", h.ReportReject, roles(street))
	pages.GET("/rollup", h.RollupShow, roles(street, district))
	pages.GET("/villages", h.VillageList, roles(street, district))
	pages.GET("/audit", h.AuditShow, roles(street, district))
	pages.GET("/oversight", h.OversightShow, roles(street, district))
	pages.GET("/bulletin", h.BulletinShow, roles(street, district))
	pages.GET("/export/:name", h.ExportPage, roles(street, district))
	pages.GET("/windows", h.WindowsShow, roles(district))
	pages.POST("/windows", h.WindowSave, roles(district))
	pages.POST("/windows/exception", h.ExceptionSave, roles(district))
	pages.POST("/windows/band", h.BandSave, roles(district))
	pages.POST("/windows/close", h.YearClose, roles(district))
	pages.GET("/files/:id", h.FileDownload)
	pages.POST("/villages/:code/reports/:year/files", h.PageUpload, roles(village))
	pages.GET("/villages/:code/workshops/new", h.WorkshopNewForm, roles(village))
	pages.POST("/villages/:code/workshops/new", h.WorkshopCreate, roles(village))
	pages.GET("/workshops", h.WorkshopList, roles(street, district))
	pages.GET("/workshops/:id", h.WorkshopShow)
	pages.POST("/workshops/:id", h.WorkshopSave, roles(village))
	pages.POST("/workshops/:id/files", h.PageUpload, roles(village))
	pages.POST("/workshops/:id/submit", h.WorkshopSubmit, roles(village))
	pages.POST("/workshops/:id/approve", h.WorkshopApprove, roles(street))
	pages.POST("/workshops/:id/reject", h.WorkshopReject, roles(street))
	pages.POST("/workshops/:id/star", h.WorkshopStar, roles(district))
	pages.GET("/companies", h.CompanyList, roles(street, district))
	pages.GET("/companies/new", h.CompanyNewForm, roles(street, district))
	pages.POST("/companies/new", h.CompanyCreate, roles(street, district))
	pages.GET("/companies/:id", h.CompanyShow)
	pages.POST("/companies/:id", h.CompanyUpdate, roles(street, district))
	pages.POST("/companies/:id/members", h.CompanyMembersSave, roles(street, district))
	pages.POST("/companies/:id/years", h.CompanyYearSave, roles(street, district))
	pages.GET("/villages/new", h.VillageNewForm, roles(district))
	pages.POST("/villages/new", h.VillageCreate, roles(district))
	pages.GET("/villages/:code/edit", h.VillageEditForm, roles(district))
	pages.POST("/villages/:code/edit", h.VillageUpdate, roles(district))
	pages.GET("/titles", h.TitlesShow, roles(district))
	pages.POST("/titles", h.TitleName, roles(district))
	pages.POST("/titles/:id/revoke", h.TitleRevoke, roles(district))
	pages.GET("/targets", h.TargetsShow, roles(district))
	pages.POST("/targets", h.TargetSave, roles(district))
	return e
}
