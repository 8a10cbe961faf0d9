// loki-tenant resolves X-Scope-OrgID headers with the code Loki runs for them, from
// github.com/grafana/dskit (Apache-2.0; the Loki module itself is AGPL and may not be used
// here): the auth middleware Loki puts in front of every HTTP route when auth_enabled is true
// (middleware.AuthenticateUser, user.ExtractOrgIDFromHTTPRequest), then tenant.TenantIDs,
// which Loki's multi-tenant querier calls, and tenant.TenantID, which its single-tenant
// querier and its push handler call.
//
// One JSON line in per request: the header's value as a JSON string, or null for no header.
// One JSON line out per request:
//
//	{"status":401,"error":"no org id"}                       refused by the middleware
//	{"status":200,"tenants":["a","b"],"tenantError":"..."}  each of tenants/tenantsError and
//	                                                         tenant/tenantError is set
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/grafana/dskit/middleware"
	"github.com/grafana/dskit/tenant"
	"github.com/grafana/dskit/user"
)

type resolution struct {
	Status       int      `json:"status"`
	Error        string   `json:"error,omitempty"`
	Tenants      []string `json:"tenants,omitempty"`
	TenantsError string   `json:"tenantsError,omitempty"`
	Tenant       string   `json:"tenant,omitempty"`
	TenantError  string   `json:"tenantError,omitempty"`
}

// resolve sends one request through Loki's auth middleware to a handler that resolves its tenants.
func resolve(header *string) resolution {
	var out resolution
	handler := middleware.AuthenticateUser.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tenants, err := tenant.TenantIDs(r.Context()); err != nil {
			out.TenantsError = err.Error()
		} else {
			out.Tenants = tenants
		}
		if id, err := tenant.TenantID(r.Context()); err != nil {
			out.TenantError = err.Error()
		} else {
			out.Tenant = id
		}
		w.WriteHeader(http.StatusOK)
	}))
	request := httptest.NewRequest(http.MethodGet, "/loki/api/v1/query_range", nil)
	if header != nil {
		request.Header.Set(user.OrgIDHeaderName, *header)
	}
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	out.Status = recorder.Code
	if recorder.Code != http.StatusOK {
		out.Error = strings.TrimSpace(recorder.Body.String())
	}
	return out
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	encoder := json.NewEncoder(os.Stdout)
	for scanner.Scan() {
		var header *string
		if err := json.Unmarshal(scanner.Bytes(), &header); err != nil {
			fmt.Fprintf(os.Stderr, "loki-tenant: not a JSON string or null: %s\n", scanner.Text())
			os.Exit(2)
		}
		if err := encoder.Encode(resolve(header)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
