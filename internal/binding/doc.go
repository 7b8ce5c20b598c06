// Package binding is how flagon turns requests into structs: the plan of a
// struct type (which field comes from the route, the query, a header, a
// cookie, the form or the body, under which name, and how its text becomes
// its value), worked out once per type and cached; the strict JSON and XML
// body decoders; and the errors of data that could not be bound or fails
// validation, naming fields as the client sent them.
//
// Context.Bind and its kin read requests through it, flagon.Typed looks a
// plan up once per handler, and App.OpenAPI reads the same plans to state
// every parameter and body, so one struct definition drives all three.
package binding
