// Package docs holds the documentation that ships with cunji. Its only code embeds
// the OpenAPI document of the JSON API, which the server answers at
// /api/v1/openapi.json and the tests hold to the routes and responses.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of API v1 (openapi.json beside this file).
//
//go:embed openapi.json
var OpenAPI []byte
