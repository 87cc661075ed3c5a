"""Account walls: Workday sign-in, LinkedIn and Naukri job pages that need an account."""

from __future__ import annotations

from sandbox.forms.common import description_block, e, page
from sandbox.seed import Job
from sandbox.urls import apply_url


def workday_job(job: Job) -> str:
    body = (f'<div class="wrap" data-automation-id="jobPostingPage"><h2 data-automation-id="jobPostingHeader">{e(job.title)}</h2>'
            f'<div data-automation-id="locations">{e(job.location)}</div>{description_block(job)}'
            f'<a data-automation-id="adventureButton" class="btn" href="{e(apply_url("", job))}">Apply</a></div>')
    return page(f"{job.title} - {job.company.name} - Workday", body)


def workday_signin(job: Job) -> str:
    body = ('<div class="wrap" data-automation-id="signInContent"><h2>Sign In</h2>'
            '<div><label for="wd-email">Email Address</label><input id="wd-email" type="text" data-automation-id="email"></div>'
            '<div><label for="wd-pass">Password</label><input id="wd-pass" type="password" data-automation-id="password"></div>'
            '<button type="button" data-automation-id="signInSubmitButton">Sign In</button>'
            '<p><a href="#" data-automation-id="createAccountLink">Create Account</a> · '
            '<a href="#" data-automation-id="forgotPasswordLink">Forgot your password?</a></p></div>')
    return page(f"Sign In - {job.company.name} - Workday", body)


def linkedin_job(job: Job) -> str:
    body = (f'<div class="wrap"><h1 class="top-card-layout__title">{e(job.title)}</h1>'
            f'<h4>{e(job.company.name)} · {e(job.location)}</h4>'
            '<button class="apply-button" disabled>Easy Apply</button>'
            '<div class="sign-in-modal"><h2>Sign in to apply</h2>'
            '<form method="post" action="/www.linkedin.com/checkpoint/lg/login-submit">'
            '<label for="session_key">Email or phone</label><input id="session_key" name="session_key" type="text">'
            '<label for="session_password">Password</label><input id="session_password" name="session_password" type="password">'
            '<button type="submit" class="sign-in-form__submit-btn">Sign in</button></form>'
            '<p>New to LinkedIn? <a href="#">Join now</a></p></div>'
            f'{description_block(job)}</div>')
    return page(f"{job.company.name} hiring {job.title} in {job.location} | LinkedIn", body)


def linkedin_challenge() -> str:
    body = ('<div class="wrap"><h1>Let\'s do a quick security check</h1>'
            '<p>Enter the 6-digit code we sent to your email address to verify it\'s you.</p>'
            '<form method="post" action="/www.linkedin.com/checkpoint/challenge/verify">'
            '<label for="input__email_verification_pin">Enter code</label>'
            '<input id="input__email_verification_pin" name="pin" type="text" maxlength="6" autocomplete="one-time-code">'
            '<button type="submit" id="email-pin-submit-button">Submit</button></form></div>')
    return page("Security Verification | LinkedIn", body)


def naukri_job(job: Job) -> str:
    body = (f'<div class="wrap"><h1 class="jd-header-title">{e(job.title)}</h1><div>{e(job.company.name)}</div>'
            f'<div class="location">{e(job.location)}</div>'
            '<div class="apply-wall"><p>Login to apply for this job</p>'
            '<button id="login-apply-button">Login to apply</button> <button id="reg-apply-button">Register to apply</button>'
            '<div class="login-layer"><label for="usernameField">Email ID / Username</label><input id="usernameField" type="text">'
            '<a href="#" id="otp-login">Use OTP to Login</a>'
            '<label for="otpField">Enter OTP</label><input id="otpField" type="text" maxlength="6"></div></div>'
            f'{description_block(job)}</div>')
    return page(f"{job.title} - {job.company.name} - Naukri.com", body)
