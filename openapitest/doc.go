// Package openapitest checks Flagon's OpenAPI documents with a real
// OpenAPI 3.1 implementation (github.com/pb33f/libopenapi and its
// validator). It is a module of its own, beside the root, so the root
// module keeps validator/v10 as its only dependency.
package openapitest
