//! The staff mode's pages (the deferred part `staff`): enrolment, then the enrolled device and
//! the requests assigned to its manager (downloaded while online, listed from the device's
//! sealed copy when offline).

use leptos::prelude::*;
use qianyue_domain::payload::Jwk;

use crate::components::locale_switch::LocaleSwitch;
use crate::components::outbox::OutboxPanel;
use crate::deferred::deferred;
use crate::i18n::UiLocale;
use crate::signing_request::{Opened, RequestCtx};
use crate::staff::WitnessCtx;
use crate::staff::{self, Device, Failure};
use crate::state::{provide_app_state, use_app_state, AppState};
use crate::App;

deferred!(staff;
    /// The staff mode's page in `state`.
    pub fn staff_page(state: AppState) -> AnyView {
        provide_app_state(state);
        view! { <StaffPage /> }.into_any()
    }
);

/// What the page knows of this browser's device.
#[derive(Clone, PartialEq)]
enum DeviceState {
    Loading,
    None,
    /// The device and its public key.
    Enrolled(Device, Jwk),
    /// IndexedDB could not be read.
    Broken(String),
}

#[component]
fn StaffPage() -> impl IntoView {
    let locale = use_app_state().locale;
    let device = RwSignal::new(DeviceState::Loading);
    leptos::task::spawn_local(async move {
        let state = match staff::enrolled().await {
            Ok(Some((d, key))) => DeviceState::Enrolled(d, Jwk::p256(&key.x, &key.y)),
            Ok(None) => DeviceState::None,
            Err(e) => DeviceState::Broken(e),
        };
        let _ = device.try_set(state);
    });
    view! {
        <main class="app staff-page">
            <header class="app-header">
                <h1>
                    <span lang="zh-CN">"客户经理现场签署"</span>
                    <span lang="en">"Account manager: signing on site"</span>
                </h1>
                <LocaleSwitch locale=locale />
            </header>
            {move || match device.get() {
                DeviceState::Loading => view! {
                    <p role="status" data-staff="loading">
                        {move || locale.get().pick("正在读取设备…", "Reading the device…")}
                    </p>
                }
                .into_any(),
                DeviceState::None => view! { <Enrol device=device /> }.into_any(),
                DeviceState::Enrolled(d, key) => view! { <Enrolled device=d key=key /> }.into_any(),
                DeviceState::Broken(why) => view! {
                    <p role="alert" data-staff="broken">
                        {move || locale.get().pick(
                            "此浏览器无法保存设备密钥（IndexedDB 不可用），不能用于现场签署。",
                            "This browser cannot keep the device key (no IndexedDB): it cannot sign on site.",
                        )}
                        " (" {why.clone()} ")"
                    </p>
                }
                .into_any(),
            }}
        </main>
    }
}

fn failure_text(failure: &Failure, locale: UiLocale) -> String {
    match failure {
        Failure::Refused(message) => message.text(locale),
        Failure::Failed(why) => {
            leptos::logging::warn!("staff mode: {why}");
            locale.pick(
                "暂时无法连接服务器，请检查网络后重试。",
                "The server could not be reached. Check the connection and retry.",
            )
        }
    }
}

fn failure_code(failure: &Failure) -> String {
    match failure {
        Failure::Refused(message) => message.code.to_string(),
        Failure::Failed(_) => "network".to_owned(),
    }
}

/// The enrolment: the code the back office showed once.
#[component]
fn Enrol(device: RwSignal<DeviceState>) -> impl IntoView {
    let locale = use_app_state().locale;
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let typed = code.get_untracked();
        leptos::task::spawn_local(async move {
            match staff::enrol(&typed).await {
                Ok(d) => {
                    let state = match staff::enrolled().await {
                        Ok(Some((_, key))) => DeviceState::Enrolled(d, Jwk::p256(&key.x, &key.y)),
                        Ok(None) => DeviceState::None,
                        Err(e) => DeviceState::Broken(e),
                    };
                    let _ = device.try_set(state);
                }
                Err(f) => {
                    let _ = error.try_set(Some(f));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <section class="staff-enrol" data-staff="enrol">
            <h2>{move || locale.get().pick("登记此设备", "Enrol this device")}</h2>
            <p>
                {move || locale.get().pick(
                    "请输入后台为您生成的一次性登记码（15分钟内有效）。登记后，此设备的密钥只保存在本设备上。",
                    "Type the one-time enrolment code the back office made for you (valid 15 minutes). The device's key then stays on this device only.",
                )}
            </p>
            <form on:submit=submit>
                <label for="staff-enrolment-code">
                    {move || locale.get().pick("登记码", "Enrolment code")}
                </label>
                <input
                    id="staff-enrolment-code"
                    name="staff.enrolment_code"
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    aria-describedby="staff-enrolment-error"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    prop:value=move || code.get()
                    on:input:target=move |ev| code.set(ev.target().value())
                />
                <button type="submit" prop:disabled=move || busy.get()>
                    {move || locale.get().pick("登记", "Enrol")}
                </button>
                <p id="staff-enrolment-error" role="alert"
                    data-staff-error=move || error.get().as_ref().map(failure_code)>
                    {move || error.get().map(|f| failure_text(&f, locale.get()))}
                </p>
            </form>
        </section>
    }
}

/// Whether a list is being downloaded, and how the last download ended.
#[derive(Clone, PartialEq)]
enum Sync {
    Idle,
    Busy,
    Done,
    Failed(Failure),
}

/// The enrolled device and its manager's requests.
#[component]
fn Enrolled(device: Device, key: Jwk) -> impl IntoView {
    let state = use_app_state();
    let locale = state.locale;
    let requests = RwSignal::new(Vec::<Opened>::new());
    // The request being signed, if one is open.
    let selected = RwSignal::new(None::<Opened>);
    let signing_device = device.clone();
    let sync = RwSignal::new(Sync::Idle);
    // The stored copy first (offline it is all there is), then the receiver's list.
    let refresh = move || {
        if sync.get_untracked() == Sync::Busy {
            return;
        }
        sync.set(Sync::Busy);
        leptos::task::spawn_local(async move {
            let outcome = match staff::download().await {
                Ok(list) => {
                    let _ = requests.try_set(list);
                    Sync::Done
                }
                Err(f) => Sync::Failed(f),
            };
            let _ = sync.try_set(outcome);
        });
    };
    leptos::task::spawn_local(async move {
        match staff::stored_requests().await {
            Ok(list) => {
                let _ = requests.try_set(list);
            }
            Err(e) => leptos::logging::warn!("staff mode: the stored requests: {e}"),
        }
        refresh();
    });
    let Device { id, staff } = device;
    let shown_id = id.clone();
    view! {
        <section class="staff-device" data-staff-device=id>
            <p data-staff="enrolled">
                {move || locale.get().pick("此设备已登记。", "This device is enrolled.")}
            </p>
            <dl>
                <dt>{move || locale.get().pick("客户经理", "Account manager")}</dt>
                <dd data-staff-name=staff.id.clone()>{staff.name.clone()} " (" {staff.id.clone()} ")"</dd>
                <dt>{move || locale.get().pick("设备编号", "Device id")}</dt>
                <dd data-staff-device-id>{shown_id}</dd>
            </dl>
        </section>
        {move || selected.get().map(|opened| {
            let device = signing_device.clone();
            let key = key.clone();
            view! {
                <button type="button" data-staff-action="back" on:click=move |_| selected.set(None)>
                    {move || locale.get().pick("返回请求列表", "Back to the list of requests")}
                </button>
                {journey(state, device, key, opened)}
            }
        })}
        // The outbox of the consents signed here (queued, sent, needing attention), with the
        // list; the journey of an open request shows its own.
        <Show when=move || selected.with(Option::is_none)>
            <OutboxPanel locale=locale />
        </Show>
        <section class="staff-requests" aria-live="polite" hidden=move || selected.with(Option::is_some)>
            <h2>{move || locale.get().pick("分配给我的签署请求", "Signing requests assigned to me")}</h2>
            <button type="button" data-staff-action="refresh"
                prop:disabled=move || sync.get() == Sync::Busy
                on:click=move |_| refresh()>
                {move || locale.get().pick("刷新", "Refresh")}
            </button>
            <p role="status" data-staff-sync=move || match sync.get() {
                Sync::Idle => "idle",
                Sync::Busy => "busy",
                Sync::Done => "done",
                Sync::Failed(_) => "failed",
            }>
                {move || match sync.get() {
                    Sync::Idle => String::new(),
                    Sync::Busy => locale.get().pick("正在下载…", "Downloading…"),
                    Sync::Done => locale.get().pick("已下载最新列表。", "The list is up to date."),
                    Sync::Failed(f) => format!(
                        "{} {}",
                        failure_text(&f, locale.get()),
                        locale.get().pick("以下为本设备上保存的列表。", "Below: the list kept on this device."),
                    ),
                }}
            </p>
            <table class="staff-request-list">
                <thead>
                    <tr>
                        <th>{move || locale.get().pick("合同编号", "Contract no.")}</th>
                        <th>{move || locale.get().pick("客户名称", "Company")}</th>
                        <th>{move || locale.get().pick("签署人", "Signer")}</th>
                        <th>{move || locale.get().pick("有效期至", "Expires")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || requests.get() key=|r| r.request_id.clone() children=move |r: Opened| {
                        let chosen = r.clone();
                        view! {
                            <tr data-staff-request=r.request_id.clone()>
                                <td>{r.form.contract_no.clone()}</td>
                                <td>{r.form.customer.group_name.clone()}</td>
                                <td>{r.signer_name.clone()}</td>
                                <td>{r.expires_at.clone()}</td>
                                <td>
                                    <button type="button" data-staff-action="open"
                                        on:click=move |_| selected.set(Some(chosen.clone()))>
                                        {move || locale.get().pick("打开并签署", "Open and sign")}
                                    </button>
                                </td>
                            </tr>
                        }
                    } />
                </tbody>
            </table>
            <p data-staff-empty=move || requests.get().is_empty().to_string()>
                {move || requests.get().is_empty().then(|| locale.get().pick(
                    "暂无分配给您的签署请求。",
                    "No signing request is assigned to you.",
                ))}
            </p>
        </section>
    }
}

/// The signing journey of a downloaded request, on this device: the request's form with its
/// read-only paths locked as online (`RequestCtx`), the witness step in place of the SMS code.
fn journey(state: AppState, device: Device, key: Jwk, opened: Opened) -> impl IntoView {
    let mut form = opened.form.clone();
    form.signing.date = state.today.to_string();
    let agent_type = form.agent.id_type.clone();
    state.form.set(form);
    if let Some(locale) = opened
        .locale
        .as_deref()
        .and_then(crate::embed::parse_locale)
    {
        state.locale.set(locale);
    }
    let witness = WitnessCtx::new(device, key, &agent_type);
    provide_context(RequestCtx::witnessed(opened, witness));
    view! { <App /> }
}
