<?php
/**
 * Plugin Name: Kursus course dates
 * Description: The course post type and the fields Kursus pushes to it over the REST API (one post per course date). Install it on the site Kursus pushes to; see docs/wordpress.md in the Kursus repository.
 * Version: 1.0.0
 * Requires at least: 5.6
 * Requires PHP: 7.4
 * License: MIT
 *
 * Kursus owns these posts: the title, content, status and every kursus_* field are overwritten on
 * each push. The post type name (= its REST base) is `kursus` unless wp-config.php defines
 * KURSUS_POST_TYPE; it must equal Kursus's WORDPRESS_POST_TYPE.
 *
 * KURSUS_PLUGIN_VERSION changes together with the fields Kursus sends (src/integrations/wordpress/
 * fields.ts in Kursus); `npm run connector-check -- wordpress` compares it with Kursus's version.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'KURSUS_PLUGIN_VERSION', '1.0.0' );

if ( ! defined( 'KURSUS_POST_TYPE' ) ) {
	define( 'KURSUS_POST_TYPE', 'kursus' );
}

/**
 * Every field Kursus sends, by meta key, with its REST schema. Keys before version 1.0.0 had no
 * prefix (see kursus_migrate_unprefixed_meta()).
 */
function kursus_fields() {
	$text = array( 'type' => 'string' );
	return array(
		'kursus_maconomy_id'         => array( 'type' => 'string', 'description' => 'Maconomy id of the course date (Kursus id of the post)' ),
		'kursus_main_course_number'  => array( 'type' => 'string', 'description' => 'Maconomy number of the main course' ),
		'kursus_start_date'          => array( 'type' => 'string', 'description' => 'First day, YYYY-MM-DD' ),
		'kursus_end_date'            => array( 'type' => 'string', 'description' => 'Last day, YYYY-MM-DD' ),
		'kursus_location'            => array( 'type' => 'string', 'description' => 'Where the course takes place' ),
		'kursus_price'               => array( 'type' => 'string', 'description' => 'Price as a decimal string, e.g. 4500.00' ),
		'kursus_currency'            => array( 'type' => 'string', 'description' => 'ISO 4217 currency code' ),
		'kursus_capacity'            => array( 'type' => 'integer', 'description' => 'Number of seats' ),
		'kursus_status'              => array( 'type' => 'string', 'description' => 'open, cancelled, ... (lower case)' ),
		'kursus_days'                => array(
			'type'        => 'array',
			'description' => 'The days, in date order',
			'items'       => array(
				'type'                 => 'object',
				'additionalProperties' => false,
				'properties'           => array(
					'date'       => $text,
					'start_time' => array( 'type' => array( 'string', 'null' ) ),
					'end_time'   => array( 'type' => array( 'string', 'null' ) ),
				),
			),
		),
		'kursus_trainers'            => array(
			'type'        => 'array',
			'description' => 'The trainers, by name',
			'items'       => array(
				'type'                 => 'object',
				'additionalProperties' => false,
				'properties'           => array(
					'name'  => $text,
					'title' => array( 'type' => array( 'string', 'null' ) ),
				),
			),
		),
	);
}

function kursus_register() {
	register_post_type(
		KURSUS_POST_TYPE,
		array(
			'label'        => 'Kurser',
			'labels'       => array( 'singular_name' => 'Kursus' ),
			'public'       => true,
			'has_archive'  => true,
			'show_in_rest' => true,
			'rest_base'    => KURSUS_POST_TYPE,
			// custom-fields: without it WordPress ignores all meta sent over the REST API.
			'supports'     => array( 'title', 'editor', 'custom-fields', 'revisions' ),
		)
	);
	foreach ( kursus_fields() as $key => $schema ) {
		$type = $schema['type'];
		unset( $schema['description'] );
		register_post_meta(
			KURSUS_POST_TYPE,
			$key,
			array(
				'type'          => $type,
				'description'   => kursus_fields()[ $key ]['description'],
				'single'        => true,
				'show_in_rest'  => 'array' === $type ? array( 'schema' => $schema ) : true,
				// Written by Kursus's user over the REST API; editors see them but changes are overwritten.
				'auth_callback' => function () {
					return current_user_can( 'edit_posts' );
				},
			)
		);
	}
}
add_action( 'init', 'kursus_register' );

/**
 * GET /wp-json/wp/v2/<type>?kursus_maconomy_id=X finds the post of one course date (Kursus looks a
 * post up this way when a create's answer was lost or refused after the post was saved).
 */
function kursus_query_by_maconomy_id( $args, $request ) {
	$id = $request->get_param( 'kursus_maconomy_id' );
	if ( is_string( $id ) && '' !== $id ) {
		$args['meta_query'] = array(
			array(
				'key'   => 'kursus_maconomy_id',
				'value' => $id,
			),
		);
	}
	return $args;
}
add_filter( 'rest_' . KURSUS_POST_TYPE . '_query', 'kursus_query_by_maconomy_id', 10, 2 );

/** GET /wp-json/kursus/v1/info: the plugin's version and fields, for Kursus's connector check. */
function kursus_rest_info() {
	register_rest_route(
		'kursus/v1',
		'/info',
		array(
			'methods'             => 'GET',
			'permission_callback' => '__return_true',
			'callback'            => function () {
				return array(
					'version'   => KURSUS_PLUGIN_VERSION,
					'post_type' => KURSUS_POST_TYPE,
					'fields'    => array_keys( kursus_fields() ),
					'acf'       => function_exists( 'acf_add_local_field_group' ),
				);
			},
		)
	);
}
add_action( 'rest_api_init', 'kursus_rest_info' );

/**
 * ACF mode (WORDPRESS_FIELD_MODE=acf): the same field names as an ACF field group shown in the REST
 * API. The days and trainers are repeaters, which need ACF Pro.
 */
function kursus_acf_field_group() {
	if ( ! function_exists( 'acf_add_local_field_group' ) ) {
		return;
	}
	$fields = array();
	foreach ( kursus_fields() as $key => $schema ) {
		$field = array(
			'key'   => 'field_' . $key,
			'name'  => $key,
			'label' => $key,
			'type'  => 'integer' === $schema['type'] ? 'number' : ( 'array' === $schema['type'] ? 'repeater' : 'text' ),
		);
		if ( 'array' === $schema['type'] ) {
			$field['sub_fields'] = array();
			foreach ( array_keys( $schema['items']['properties'] ) as $sub ) {
				$field['sub_fields'][] = array( 'key' => 'field_' . $key . '_' . $sub, 'name' => $sub, 'label' => $sub, 'type' => 'text' );
			}
		}
		$fields[] = $field;
	}
	acf_add_local_field_group(
		array(
			'key'          => 'group_kursus',
			'title'        => 'Kursus',
			'fields'       => $fields,
			'location'     => array( array( array( 'param' => 'post_type', 'operator' => '==', 'value' => KURSUS_POST_TYPE ) ) ),
			'show_in_rest' => 1,
		)
	);
}
add_action( 'acf/init', 'kursus_acf_field_group' );

/**
 * Migration from Kursus before plugin 1.0.0, which sent unprefixed keys (maconomy_id, status, ...):
 * on activation, each post of the type gets kursus_<key> copied from <key> where it has no value yet.
 * The old keys are left in place for themes that still read them; Kursus's next push rewrites
 * every post with the prefixed keys anyway (the changed keys change what it considers pushed).
 */
function kursus_migrate_unprefixed_meta() {
	kursus_register();
	$ids = get_posts(
		array(
			'post_type'   => KURSUS_POST_TYPE,
			'post_status' => 'any',
			'numberposts' => -1,
			'fields'      => 'ids',
		)
	);
	foreach ( $ids as $post_id ) {
		foreach ( array_keys( kursus_fields() ) as $key ) {
			$old = substr( $key, strlen( 'kursus_' ) );
			if ( metadata_exists( 'post', $post_id, $old ) && ! metadata_exists( 'post', $post_id, $key ) ) {
				add_post_meta( $post_id, $key, get_post_meta( $post_id, $old, true ), true );
			}
		}
	}
	flush_rewrite_rules();
}
register_activation_hook( __FILE__, 'kursus_migrate_unprefixed_meta' );
