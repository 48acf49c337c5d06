/**
 * What the simulation's HTML pages share ({@link dev.custos.sim.html.HtmlPage}): a page that references nothing outside
 * itself (styles inline, the chart library inlined, no fonts, images or links), whose every data text is escaped, and
 * whose bytes depend on what it shows only.
 */
package dev.custos.sim.html;
