//! The URL state in the browser: reading and writing the address bar, the
//! origins a user agreed to load from, the `#data=` fragment. What the
//! query string says is [`tracescope_core::url_state`].

pub use tracescope_core::url_state::{UrlState, MAX_FOLDS};

pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes the state into the address bar: a new history entry or in place.
pub fn write(state: &UrlState, push: bool) {
    let Some(w) = web_sys::window() else { return };
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    // The fragment holds a self-contained trace (`#data=`): it stays.
    let hash = w.location().hash().unwrap_or_default();
    let url = format!("{path}{}{hash}", state.to_query());
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The origin of `url` resolved against the page; None when it is not
/// http(s) (then it is never fetched).
pub fn origin_of(url: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    let u = web_sys::Url::new_with_base(url, &base).ok()?;
    matches!(u.protocol().as_str(), "http:" | "https:").then(|| u.origin())
}

pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

const ALLOWED_KEY: &str = "tracescope.origins";

/// Whether the page is shown inside another page's frame, where a click
/// may have been lured (clickjacking): then no other origin is contacted.
pub fn framed() -> bool {
    web_sys::window().is_some_and(|w| match w.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &w),
        _ => true,
    })
}

/// Origins the user has agreed to load traces from (the page's own is
/// always allowed; no other while the page is framed).
pub fn origin_allowed(origin: &str) -> bool {
    origin == page_origin()
        || !framed()
            && storage()
                .and_then(|s| s.get_item(ALLOWED_KEY).ok().flatten())
                .is_some_and(|v| v.split(' ').any(|o| o == origin))
}

pub fn allow_origin(origin: &str) {
    if framed() {
        return;
    }
    if let Some(s) = storage() {
        let mut v = s.get_item(ALLOWED_KEY).ok().flatten().unwrap_or_default();
        if !v.split(' ').any(|o| o == origin) {
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(origin);
            let _ = s.set_item(ALLOWED_KEY, &v);
        }
    }
}

/// This browser's localStorage (None where it is unavailable).
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The packed trace of a self-contained link (`#data=…`), if any.
pub fn shared_data() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#data=").map(str::to_string)
}
