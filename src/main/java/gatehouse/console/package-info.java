/**
 * The web console at {@code /console}: server-rendered pages (Thymeleaf, htmx and Chart.js from
 * webjars) over the same services as the admin API, acting with the signed-in person's role
 * grants. One controller per page area; one layout and one navigation fragment
 * ({@code templates/console/layout.html}).
 */
package gatehouse.console;
