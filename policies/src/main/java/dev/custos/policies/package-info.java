/**
 * Policy-as-code for Custos: YAML policy packs whose rule conditions are CEL expressions (the policies issue builds it;
 * this module depends only on the runtime, and the runtime never on it).
 */
package dev.custos.policies;
