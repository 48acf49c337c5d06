/**
 * Reading Custos' YAML files: a located YAML tree, strict readers built on it, and problems reported all at once as
 * {@code FILE:LINE:COLUMN: message}, so that a file never yields a value without every one of its problems fixed.
 */
package dev.custos.files;
