#!/usr/bin/env bash
# Rebuild the .pot files from the code, merge them into every .po, compile the .mo.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.venv/bin"
cd "$root/src/collective/tickets"
"$bin/i18ndude" rebuild-pot --pot locales/collective.tickets.pot --create collective.tickets .
# The plone domain holds only what Plone's own screens show of ours: the type
# and workflow titles.
"$bin/i18ndude" rebuild-pot --pot locales/plone.pot --create plone profiles
# userschema.xml repeats Plone's own member fields: Plone translates those.
plone_pot="$("$bin/python" -c 'import os, plone.app.locales; print(os.path.join(os.path.dirname(plone.app.locales.__file__), "locales", "plone.pot"))')"
"$bin/i18ndude" filter locales/plone.pot "$plone_pot" > locales/plone.pot.filtered
mv locales/plone.pot.filtered locales/plone.pot
for domain in collective.tickets plone; do
  "$bin/i18ndude" sync --pot "locales/$domain.pot" locales/*/LC_MESSAGES/"$domain.po"
done
"$bin/python" "$root/scripts/compile_mo.py"
