// The bundle's entry: the LIFF SDK from the npm registry as window.liff (scripts/install-liff builds dist/liff.js).
import liff from "@line/liff";

window.liff = liff;
