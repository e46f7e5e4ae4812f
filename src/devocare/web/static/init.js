/* Start NHS.UK frontend's components (header menu, details, skip link). */
import { initAll } from "/assets/nhsuk/nhsuk-frontend.min.js";
initAll();
