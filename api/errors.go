package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// statusOf is the one mapping from error codes to HTTP status.
var statusOf = map[string]int{
	atlas.EINVALID:  http.StatusBadRequest,
	atlas.ENOTFOUND: http.StatusNotFound,
	atlas.ECONFLICT: http.StatusConflict,
	atlas.ETOOLARGE: http.StatusRequestEntityTooLarge,
	atlas.EINTERNAL: http.StatusInternalServerError,

	atlas.EUNAUTHORIZED: http.StatusUnauthorized,
	atlas.EFORBIDDEN:    http.StatusForbidden,
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// RequestID names the request in the server's logs, for support.
	RequestID string `json:"request_id,omitempty"`
}

// handleError renders every error a handler returns. Internal details are
// logged, never sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	detail := atlas.ErrorMessage(err)
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he): // routing and middleware errors: 404, 405, 413
		status = he.Code
		detail = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" && m != detail {
			detail = m
		}
	default:
		status = statusOf[atlas.ErrorCode(err)]
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "error", err)
	}
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="sozialatlas"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	if c.Request().Method != http.MethodHead {
		_ = jsonEncoder(c).Encode(p)
	}
}
