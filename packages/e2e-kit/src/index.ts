export { type BrowserSession, launchBrowser, screenshots, signIn, VIEWPORT } from "./browser.ts";
