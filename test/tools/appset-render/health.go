package main

// Health checks: runs an argocd-cm `resource.customizations.health.<group>_<kind>` Lua
// script the way Argo CD does (gopher-lua, only the base/table/string/math libraries,
// the live object as the global `obj`) and prints the returned health status as JSON.

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

var healthStatuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

func runHealth(scriptPath, objectPath string) (*healthStatus, error) {
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(objectPath)
	if err != nil {
		return nil, err
	}
	var object map[string]interface{}
	if err := json.Unmarshal(raw, &object); err != nil {
		return nil, fmt.Errorf("%s: %w", objectPath, err)
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.SetGlobal("obj", toLua(L, object))
	if err := L.DoString(string(script)); err != nil {
		return nil, fmt.Errorf("lua: %w", err)
	}
	table, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("health script returned %s, not a table", L.Get(-1).Type())
	}
	status := healthStatus{Status: lua.LVAsString(table.RawGetString("status")), Message: lua.LVAsString(table.RawGetString("message"))}
	if !healthStatuses[status.Status] {
		return nil, fmt.Errorf("health script returned invalid status %q", status.Status)
	}
	return &status, nil
}

// toLua converts decoded JSON into Lua values (arrays are 1-based tables).
func toLua(L *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case map[string]interface{}:
		table := L.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(L, item))
		}
		return table
	case []interface{}:
		table := L.NewTable()
		for i, item := range v {
			table.RawSetInt(i+1, toLua(L, item))
		}
		return table
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	default:
		return lua.LNil
	}
}
