/* placeholder until the kiosk core lands */
#include <glib.h>
int relais_kiosk_core_placeholder (void);
int relais_kiosk_core_placeholder (void) { return 0; }
