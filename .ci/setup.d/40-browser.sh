# Chromium and its WebDriver, from Debian, for the headless browser test of the site
# (tests/test_site_browser.py). Sourced by .ci/run; starts no service (the test starts
# and stops its own browser), so there is nothing to register with on_exit.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
fi
DEFCOOP_CHROMIUM=$(command -v chromium)
DEFCOOP_CHROMEDRIVER=$(command -v chromedriver)
# Here a missing browser is a failure, not a skip.
DEFCOOP_REQUIRE_BROWSER=1
# The screenshots of every kind of page (1280 and 375 px): the CI's artefacts.
DEFCOOP_ARTEFACTS=${DEFCOOP_ARTEFACTS:-$ROOT/tests/artifacts}
mkdir -p "$DEFCOOP_ARTEFACTS"
export DEFCOOP_CHROMIUM DEFCOOP_CHROMEDRIVER DEFCOOP_REQUIRE_BROWSER DEFCOOP_ARTEFACTS
chromium --version || true
