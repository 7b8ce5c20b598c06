// Package catalog is a small book catalog API: typed handlers in a
// blueprint, a custom converter for ISBNs, and the OpenAPI document of it
// all at /openapi.json, with no annotations.
package catalog

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/flagon-go/flagon"
)

// Book is a book of the catalog.
type Book struct {
	ISBN    string   `json:"isbn"`
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	Year    int      `json:"year"`
	Tags    []string `json:"tags,omitempty"`
}

// BookInput is what a client sends to create or replace a book, as JSON
// or as XML (<book><title>SICP</title><author>Abelson</author>…</book>).
type BookInput struct {
	Title   string   `json:"title" xml:"title" validate:"required,max=200"`
	Authors []string `json:"authors" xml:"author" validate:"required,min=1,max=10,dive,required"`
	Year    int      `json:"year" xml:"year" validate:"gte=1450,lte=2100"`
	Tags    []string `json:"tags,omitempty" xml:"tag" validate:"max=5,dive,oneof=fiction science history"`
}

// CreateBook is the body of POST /api/books; in XML the ISBN is an
// attribute: <book isbn="9780262510875">.
type CreateBook struct {
	XMLName xml.Name `xml:"book" json:"-"`
	ISBN    string   `json:"isbn" xml:"isbn,attr" validate:"required,len=13,numeric"`
	BookInput
}

// UpdateBook is PUT /api/books/<isbn:isbn>: the ISBN from the path, the
// rest from the body.
type UpdateBook struct {
	XMLName xml.Name `xml:"book" json:"-"`
	ISBN    string   `path:"isbn"`
	BookInput
}

// BookRef names a book by the ISBN in the path.
type BookRef struct {
	ISBN string `path:"isbn"`
}

// ListBooks is the query of GET /api/books.
type ListBooks struct {
	Limit  int    `query:"limit" default:"20" validate:"min=1,max=100"`
	Offset int    `query:"offset" validate:"min=0"`
	Tag    string `query:"tag" validate:"omitempty,oneof=fiction science history"`
}

// SearchBooks is the query of GET /api/books/search, which a plain
// handler binds.
type SearchBooks struct {
	Q string `query:"q" validate:"required,min=2,max=100"`
}

// BookList is a page of books.
type BookList struct {
	Books []Book `json:"books"`
	Total int    `json:"total"`
}

// Deleted says which book was deleted.
type Deleted struct {
	ISBN string `json:"isbn"`
}

// isbn matches a 13-digit ISBN; OpenAPISchema tells the document so.
type isbn struct{}

func (isbn) Match(s string) bool {
	if len(s) != 13 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (isbn) Build(v any) (string, error) {
	s, _ := v.(string)
	return s, nil
}

// OpenAPISchema is the schema of an ISBN path variable.
func (isbn) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "pattern": "^[0-9]{13}$"}
}

// store holds the books of one app.
type store struct {
	mu    sync.Mutex
	books map[string]Book
}

// New returns the catalog app, with an empty catalog.
func New() *flagon.App {
	s := &store{books: map[string]Book{}}
	app := flagon.New()
	app.Config.APITitle = "Book catalog"
	app.Config.APIVersion = "1.0.0"
	app.Converter("isbn", isbn{})

	books := flagon.NewBlueprint("books")
	books.Get("/", flagon.Typed(s.list)).Name("list").Summary("List books")
	books.Post("/", flagon.Typed(s.create)).Name("create").Summary("Add a book").Status(http.StatusCreated)
	books.Get("/search", s.search).Name("search").Summary("Find books by title").Reads(SearchBooks{}).Returns(BookList{})
	books.Get("/<isbn:isbn>", flagon.Typed(s.show)).Name("show").Summary("Show a book")
	books.Put("/<isbn:isbn>", flagon.Typed(s.replace)).Name("replace").Summary("Replace a book")
	books.Delete("/<isbn:isbn>", flagon.Typed(s.delete)).Name("delete").Summary("Delete a book")
	app.Register(books, "/api/books")

	app.Get("/openapi.json", openapi).Summary("This document").Tags("meta")
	return app
}

func openapi(c *flagon.Context) error {
	doc, err := c.App().OpenAPI()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/json", doc)
}

func (s *store) list(c *flagon.Context, in *ListBooks) (*BookList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &BookList{Books: []Book{}}
	keys := make([]string, 0, len(s.books))
	for k := range s.books {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b := s.books[k]
		if in.Tag != "" && !contains(b.Tags, in.Tag) {
			continue
		}
		out.Total++
		if out.Total > in.Offset && len(out.Books) < in.Limit {
			out.Books = append(out.Books, b)
		}
	}
	return out, nil
}

// search is a plain handler: Reads and Returns tell the document what it
// binds and writes.
func (s *store) search(c *flagon.Context) error {
	var in SearchBooks
	if err := c.Bind(&in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &BookList{Books: []Book{}}
	q := strings.ToLower(in.Q)
	for _, b := range s.books {
		if strings.Contains(strings.ToLower(b.Title), q) {
			out.Books = append(out.Books, b)
		}
	}
	sort.Slice(out.Books, func(i, j int) bool { return out.Books[i].ISBN < out.Books[j].ISBN })
	out.Total = len(out.Books)
	return c.JSON(http.StatusOK, out)
}

func (s *store) create(c *flagon.Context, in *CreateBook) (*Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[in.ISBN]; ok {
		return nil, flagon.Abort(http.StatusConflict, "A book with this ISBN exists.")
	}
	b := book(in.ISBN, in.BookInput)
	s.books[in.ISBN] = b
	return &b, nil
}

func (s *store) show(c *flagon.Context, in *BookRef) (*Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[in.ISBN]
	if !ok {
		return nil, flagon.Abort(http.StatusNotFound, "No book has this ISBN.")
	}
	return &b, nil
}

func (s *store) replace(c *flagon.Context, in *UpdateBook) (*Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[in.ISBN]; !ok {
		return nil, flagon.Abort(http.StatusNotFound, "No book has this ISBN.")
	}
	b := book(in.ISBN, in.BookInput)
	s.books[in.ISBN] = b
	return &b, nil
}

func (s *store) delete(c *flagon.Context, in *BookRef) (*Deleted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[in.ISBN]; !ok {
		return nil, flagon.Abort(http.StatusNotFound, "No book has this ISBN.")
	}
	delete(s.books, in.ISBN)
	return &Deleted{ISBN: in.ISBN}, nil
}

func book(isbn string, in BookInput) Book {
	return Book{ISBN: isbn, Title: in.Title, Authors: in.Authors, Year: in.Year, Tags: in.Tags}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
