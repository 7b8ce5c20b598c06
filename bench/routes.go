// Package bench compares Flagon with the routers and frameworks Go
// developers would pick instead, on the workloads of the well-known Go HTTP
// routing benchmark plus full-stack and end-to-end runs. It is its own
// module, so the root module never depends on a peer.
package bench

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// Route is one route of a set, with its variables written ":name".
type Route struct {
	Method string
	Path   string   // "/repos/:owner/:repo"
	Names  []string // variable names in order
}

var colonVar = regexp.MustCompile(`:(\w+)`)

// LoadRoutes reads a "METHOD /path/:var" file.
func LoadRoutes(file string) ([]Route, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Route
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		m, p, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s: bad line %q", file, line)
		}
		r := Route{Method: m, Path: p}
		for _, v := range colonVar.FindAllStringSubmatch(p, -1) {
			r.Names = append(r.Names, v[1])
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// As rewrites the route's variables in another syntax: format gets the
// variable name ("<%s>" for Flagon, "{%s}" for chi).
func (r Route) As(format string) string {
	return colonVar.ReplaceAllStringFunc(r.Path, func(v string) string { return fmt.Sprintf(format, v[1:]) })
}

// Value is the value a request gives variable name.
func Value(name string) string { return "v" + name }

// Request builds the request that should reach r.
func (r Route) Request() *http.Request {
	path := colonVar.ReplaceAllStringFunc(r.Path, func(v string) string { return Value(v[1:]) })
	req, err := http.NewRequest(r.Method, path, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// Hit is what a handler reports in recording mode: which route ran, with
// which values.
type Hit struct {
	Route  int
	Params map[string]string
}

// Recorder collects the hit of the last request; nil in benchmarks, where
// handlers do nothing at all.
type Recorder struct{ Last *Hit }

// Record stores a hit; get reads the variables through the framework.
func (rec *Recorder) Record(i int, names []string, get func(string) string) {
	h := &Hit{Route: i, Params: map[string]string{}}
	for _, n := range names {
		h.Params[n] = get(n)
	}
	rec.Last = h
}

// Framework is one peer: how it builds a router for a route set and the
// full-stack handlers.
type Framework struct {
	Name        string
	Router      func(routes []Route, rec *Recorder) http.Handler
	Hello       func() http.Handler // GET / answers "Hello, World!" as text
	JSON        func() http.Handler // GET /json answers a small JSON object
	Middleware5 func() http.Handler // GET / hello behind five no-op middlewares
	// Bind answers POST /bind: it binds and validates a Signup JSON body
	// and answers 204, or the framework's error status. When seen is not
	// nil the bound value is stored there. Nil where not measured.
	Bind func(seen *Signup) http.Handler
}

// Frameworks lists every peer, by file name order of their adapters.
var Frameworks []Framework

func register(f Framework) { Frameworks = append(Frameworks, f) }

// helloBody and jsonBody are what the full-stack handlers send.
const helloBody = "Hello, World!"

// Message is the small JSON object of the JSON workload.
type Message struct {
	Message string `json:"message"`
	ID      int    `json:"id"`
	OK      bool   `json:"ok"`
}

var message = Message{Message: "Hello, World!", ID: 42, OK: true}

// Signup is the 10-field JSON body of the Bind workload, with the same
// rules for Flagon (validate tags) and Gin (binding tags).
type Signup struct {
	Name       string   `json:"name" validate:"required,min=2,max=64" binding:"required,min=2,max=64"`
	Email      string   `json:"email" validate:"required,email" binding:"required,email"`
	Age        int      `json:"age" validate:"gte=18,lte=130" binding:"gte=18,lte=130"`
	Country    string   `json:"country" validate:"required,len=2" binding:"required,len=2"`
	City       string   `json:"city" validate:"required" binding:"required"`
	Zip        string   `json:"zip" validate:"required,numeric" binding:"required,numeric"`
	Phone      string   `json:"phone" validate:"omitempty,e164" binding:"omitempty,e164"`
	Website    string   `json:"website" validate:"omitempty,url" binding:"omitempty,url"`
	Tags       []string `json:"tags" validate:"max=5,dive,required" binding:"max=5,dive,required"`
	Newsletter bool     `json:"newsletter"`
}

// signupBody is the request body of the Bind workload, and signup what it
// binds to.
var (
	signupBody = []byte(`{"name":"Ada Lovelace","email":"ada@example.com","age":36,"country":"GB","city":"London",` +
		`"zip":"12345","phone":"+442071234567","website":"https://example.com/ada","tags":["math","engines"],"newsletter":true}`)
	signup = Signup{Name: "Ada Lovelace", Email: "ada@example.com", Age: 36, Country: "GB", City: "London",
		Zip: "12345", Phone: "+442071234567", Website: "https://example.com/ada", Tags: []string{"math", "engines"}, Newsletter: true}
)
