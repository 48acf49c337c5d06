/** The policy decision point interface: what the organisation allows, decided per call and per delegation. */
package dev.custos.policy;
