/** What every part of Custos shares: the one exception type for input that does not parse. */
package dev.custos;
